import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, cat, chunk, ShapeError, split, stack, tensor, unsqueeze, zeros } from '../index.js';

/** `arange(numel)` shaped `shape` and offset by `start`, so every element is distinct. */
function numbered(shape: readonly number[], start = 0): ReturnType<typeof arange> {
  const count = shape.reduce((product, size) => product * size, 1);
  return arange(start, start + count).reshape(shape);
}

/** Row-major multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const position = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    position[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return position;
}

/** Reads element `position` of a tensor through its strides. */
function at(t: ReturnType<typeof arange>, position: readonly number[]): number {
  let offset = t.offset;
  for (let d = 0; d < position.length; d++) offset += position[d]! * t.strides[d]!;
  return t.storage.data[offset]!;
}

/** The reference concatenation: every output element read from the part whose range along `dim` holds it. */
function referenceCat(parts: ReturnType<typeof arange>[], dim: number): number[] {
  const shape = [...parts[0]!.shape];
  shape[dim] = parts.reduce((sum, part) => sum + part.shape[dim]!, 0);
  const count = shape.reduce((product, size) => product * size, 1);
  const values: number[] = [];
  for (let flat = 0; flat < count; flat++) {
    const position = unravel(flat, shape);
    let along = position[dim]!;
    let part = 0;
    while (along >= parts[part]!.shape[dim]!) along -= parts[part++]!.shape[dim]!;
    position[dim] = along;
    values.push(at(parts[part]!, position));
  }
  return values;
}

describe('cat', () => {
  it('matches the reference loop along every dim, for strided inputs too', () => {
    for (const dim of [0, 1, 2]) {
      const shapeA = [2, 3, 4];
      const shapeB = [2, 3, 4];
      shapeB[dim] = 1;
      const a = numbered(shapeA);
      const b = numbered([shapeB[2]!, shapeB[1]!, shapeB[0]!], 100).permute(2, 1, 0);
      const result = cat([a, b], dim);
      expect(result.shape).toEqual(shapeA.map((size, d) => (d === dim ? size + shapeB[d]! : size)));
      expect(Array.from(result.toTypedArray())).toEqual(referenceCat([a, b], dim));
    }
  });

  it('takes negative dims and a single tensor', () => {
    const a = numbered([2, 2]);
    const b = numbered([2, 1], 10);
    expect(cat([a, b], -1).tolist()).toEqual([
      [0, 1, 10],
      [2, 3, 11],
    ]);
    const alone = cat([a]);
    expect(alone.tolist()).toEqual(a.tolist());
    expect(alone.storage).not.toBe(a.storage);
  });

  it('promotes dtypes like torch.cat', () => {
    const ints = tensor([1, 2], { dtype: 'int32' });
    const bools = tensor([true, false]);
    expect(cat([ints, bools]).dtype).toBe('int32');
    expect(cat([ints, bools]).tolist()).toEqual([1, 2, 1, 0]);
    expect(cat([bools, bools]).dtype).toBe('bool');
    expect(cat([ints, tensor([0.5])]).dtype).toBe('float32');
    expect(cat([ints, tensor([0.5])]).tolist()).toEqual([1, 2, 0.5]);
    expect(cat([tensor([0.5]), tensor([0.25], { dtype: 'float64' })]).dtype).toBe('float64');
  });

  it('concatenates empty parts', () => {
    expect(cat([zeros([0, 3]), numbered([2, 3])]).tolist()).toEqual(numbered([2, 3]).tolist());
    expect(cat([zeros([2, 0]), zeros([2, 0])], 1).shape).toEqual([2, 0]);
  });

  it('rejects bad input with messages naming the op, the tensor and the shapes', () => {
    expect(() => cat([zeros([2, 3]), zeros([2, 4])])).toThrow(
      new ShapeError('cat: sizes of tensors must match except in dimension 0: tensor 0 has shape [2, 3], tensor 1 has shape [2, 4]'),
    );
    expect(() => cat([zeros([2, 3]), zeros([2, 3]), zeros([3])], 1)).toThrow(
      new ShapeError('cat: tensors must have the same number of dimensions: tensor 0 has shape [2, 3], tensor 2 has shape [3]'),
    );
    expect(() => cat([zeros([2]), tensor(1)])).toThrow(new ShapeError('cat: zero-dimensional tensor (at position 1) cannot be concatenated'));
    expect(() => cat([])).toThrow(new RangeError('cat: expected a non-empty list of tensors'));
    expect(() => cat([zeros([2])], 1)).toThrow(RangeError);
    expect(() => cat([zeros([2])], 1)).toThrow('cat: dimension out of range (expected to be in range of [-1, 0], but got 1)');
  });

  it('is available as a method', () => {
    expect(numbered([1, 2]).cat([numbered([1, 2], 5)], 0).tolist()).toEqual([
      [0, 1],
      [5, 6],
    ]);
  });
});

describe('stack', () => {
  it('stacks along a new dimension', () => {
    const a = numbered([2, 3]);
    const b = numbered([2, 3], 10);
    expect(stack([a, b]).tolist()).toEqual([a.tolist(), b.tolist()]);
    expect(stack([a, b], 2).shape).toEqual([2, 3, 2]);
    expect(stack([a, b], -1).tolist()).toEqual([
      [
        [0, 10],
        [1, 11],
        [2, 12],
      ],
      [
        [3, 13],
        [4, 14],
        [5, 15],
      ],
    ]);
    expect(a.stack([b], 1).shape).toEqual([2, 2, 3]);
    expect(stack([tensor(1), tensor(2)]).tolist()).toEqual([1, 2]);
  });

  it('rejects unequal shapes and bad dims', () => {
    expect(() => stack([zeros([2, 3]), zeros([2, 3]), zeros([3, 2])])).toThrow(
      new ShapeError('stack: expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 2'),
    );
    expect(() => stack([])).toThrow(new RangeError('stack: expected a non-empty list of tensors'));
    expect(() => stack([zeros([2])], 2)).toThrow('stack: dimension out of range (expected to be in range of [-2, 1], but got 2)');
  });

  it('equals unsqueeze + cat (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        (shape, count, dimSeed) => {
          const parts = Array.from({ length: count }, (_, i) => numbered(shape, 100 * i));
          const dim = (dimSeed % (shape.length + 1)) - (dimSeed % 2 === 0 ? 0 : shape.length + 1);
          const stacked = stack(parts, dim);
          const reference = cat(
            parts.map((part) => unsqueeze(part, dim)),
            dim,
          );
          expect(stacked.shape).toEqual(reference.shape);
          expect(Array.from(stacked.toTypedArray())).toEqual(Array.from(reference.toTypedArray()));
        },
      ),
    );
  });
});

describe('split and chunk', () => {
  it('split by size gives views, the last one smaller', () => {
    const x = numbered([5, 2]);
    const pieces = split(x, 2);
    expect(pieces.map((piece) => piece.shape)).toEqual([
      [2, 2],
      [2, 2],
      [1, 2],
    ]);
    expect(pieces.map((piece) => piece.tolist())).toEqual([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [4, 5],
        [6, 7],
      ],
      [[8, 9]],
    ]);
    for (const piece of pieces) {
      expect(piece.storage).toBe(x.storage);
      expect(piece.base).toBe(x.base ?? x);
    }
    pieces[1]!.storage.data[pieces[1]!.offset] = 42;
    expect(x.tolist()).toContainEqual([42, 5]);
  });

  it('split by sizes along a dim', () => {
    const x = numbered([2, 5]);
    const pieces = x.split([1, 0, 4], 1);
    expect(pieces.map((piece) => piece.shape)).toEqual([
      [2, 1],
      [2, 0],
      [2, 4],
    ]);
    expect(pieces[2]!.tolist()).toEqual([
      [1, 2, 3, 4],
      [6, 7, 8, 9],
    ]);
    expect(pieces[2]!.storage).toBe(x.storage);
  });

  it('split of an empty dimension gives one empty piece, like PyTorch', () => {
    expect(split(zeros([0]), 2).map((piece) => piece.shape)).toEqual([[0]]);
    expect(split(zeros([0]), 0).map((piece) => piece.shape)).toEqual([[0]]);
  });

  it('chunk uses ceil division and may give fewer chunks', () => {
    expect(chunk(arange(5), 3).map((piece) => piece.tolist())).toEqual([[0, 1], [2, 3], [4]]);
    expect(chunk(arange(6), 4).map((piece) => piece.tolist())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(chunk(arange(2), 5).map((piece) => piece.tolist())).toEqual([[0], [1]]);
    expect(chunk(zeros([0]), 3).map((piece) => piece.shape)).toEqual([[0], [0], [0]]);
    const x = numbered([2, 4]);
    const halves = x.chunk(2, -1);
    expect(halves.map((piece) => piece.tolist())).toEqual([
      [
        [0, 1],
        [4, 5],
      ],
      [
        [2, 3],
        [6, 7],
      ],
    ]);
    expect(halves[1]!.storage).toBe(x.storage);
  });

  it('rejects bad input with pinned messages', () => {
    expect(() => split(arange(4), [1, 2])).toThrow(
      new ShapeError('split: split sizes [1, 2] must sum exactly to 4 (the size of dimension 0 of shape [4]), but they sum to 3'),
    );
    expect(() => split(arange(4), 0)).toThrow(
      new RangeError('split: split size can only be 0 if the dimension size is 0, but dimension 0 has size 4'),
    );
    expect(() => split(arange(4), -1)).toThrow(new RangeError('split: split size must be a non-negative integer, got -1'));
    expect(() => split(arange(4), [5, -1])).toThrow(new RangeError('split: split sizes must be non-negative integers, got [5, -1]'));
    expect(() => split(tensor(1), 1)).toThrow(new ShapeError('split: cannot split a 0-dim tensor (expected at least 1 dimension)'));
    expect(() => split(arange(4), 1, 1)).toThrow('split: dimension out of range (expected to be in range of [-1, 0], but got 1)');
    expect(() => chunk(arange(4), 0)).toThrow(new RangeError('chunk: number of chunks must be a positive integer, got 0'));
    expect(() => chunk(tensor(1), 1)).toThrow(new ShapeError('chunk: cannot chunk a 0-dim tensor (expected at least 1 dimension)'));
  });

  it('cat then split round-trips (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (shape, sizes, dimSeed) => {
          const dim = dimSeed % shape.length;
          const parts = sizes.map((size, i) => numbered(shape.map((s, d) => (d === dim ? size : s)), 100 * i));
          const pieces = split(cat(parts, dim), sizes, dim);
          expect(pieces.length).toBe(parts.length);
          pieces.forEach((piece, i) => {
            expect(piece.shape).toEqual(parts[i]!.shape);
            expect(Array.from(piece.toTypedArray())).toEqual(Array.from(parts[i]!.toTypedArray()));
          });
        },
      ),
    );
  });

  it('chunk pieces cover the input in order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 8 }), (size, chunks) => {
        const pieces = chunk(arange(size), chunks);
        const expectedSize = Math.ceil(size / chunks);
        expect(pieces.length).toBe(size === 0 ? chunks : Math.ceil(size / expectedSize));
        expect(pieces.flatMap((piece) => piece.tolist() as number[])).toEqual(Array.from({ length: size }, (_, i) => i));
      }),
    );
  });
});
