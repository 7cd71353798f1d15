import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError, arange, numelOf, tensor } from '../index.js';
import type { Tensor } from '../tensor.js';

describe('views', () => {
  it('reshape, transpose and slice share storage and read the right elements', () => {
    const a = arange(24).reshape(2, 3, 4);
    expect(a.shape).toEqual([2, 3, 4]);
    const b = a.transpose(0, 2);
    expect(b.storage).toBe(a.storage);
    expect(b.shape).toEqual([4, 3, 2]);
    expect((b.contiguous().reshape(-1).tolist() as number[]).slice(0, 4)).toEqual([0, 12, 4, 16]);
    expect(a.slice(2, 1, 4, 2).tolist()).toEqual([[[1, 3], [5, 7], [9, 11]], [[13, 15], [17, 19], [21, 23]]]);
    expect(() => b.view(24)).toThrow(ShapeError);
    expect(b.reshape(24).tolist()).toEqual(b.contiguous().view(24).tolist());
    expect(tensor([[1, 2], [3, 4]]).T.tolist()).toEqual([[1, 3], [2, 4]]);
    expect(tensor(5).reshape(1, 1).tolist()).toEqual([[5]]);
    expect(tensor(5).view(-1).shape).toEqual([1]);
    expect(tensor([5]).view([]).shape).toEqual([]);
  });
});

/** A random shape of rank 0..4 with sizes 1..4, and a permutation of its dims. */
const shapeArbitrary = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

/** Reads element `index` of `t` through its shape and strides, the definition a view must satisfy. */
function elementAt(t: Tensor, index: readonly number[]): number {
  let position = t.offset;
  index.forEach((i, d) => (position += i * t.strides[d]!));
  return t.storage.data[position]!;
}

function allIndices(shape: readonly number[]): number[][] {
  return shape.reduce<number[][]>((acc, size) => acc.flatMap((prefix) => Array.from({ length: size }, (_, i) => [...prefix, i])), [[]]);
}

describe('view identities (property tests)', () => {
  it('reshape to a random factorization and back is the identity and shares storage', () => {
    fc.assert(
      fc.property(shapeArbitrary, (shape) => {
        const a = arange(numelOf(shape)).reshape(shape);
        const flat = a.reshape(-1);
        expect(flat.storage).toBe(a.storage);
        expect(flat.reshape(shape).tolist()).toEqual(a.tolist());
        expect(Array.from(flat.toTypedArray())).toEqual(Array.from({ length: numelOf(shape) }, (_, i) => i));
      }),
    );
  });

  it('permute moves element [i0, i1, ...] to the permuted index, and the inverse permutation restores it', () => {
    fc.assert(
      fc.property(
        shapeArbitrary.chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length }))),
        ([shape, order]) => {
          const a = arange(numelOf(shape)).reshape(shape);
          const p = a.permute(order);
          expect(p.shape).toEqual(order.map((d) => shape[d]));
          for (const index of allIndices(shape)) {
            expect(elementAt(p, order.map((d) => index[d]!))).toBe(elementAt(a, index));
          }
          const inverse = order.map((_, i) => order.indexOf(i));
          expect(p.permute(inverse).contiguous().tolist()).toEqual(a.tolist());
        },
      ),
    );
  });

  it('a contiguous copy of any view reads the same elements; view() of it succeeds', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 2, maxLength: 4 }), (shape) => {
        const a = arange(numelOf(shape)).reshape(shape).transpose(0, -1).slice(0, 0, undefined, 2);
        const copy = a.contiguous();
        expect(copy.isContiguous()).toBe(true);
        expect(copy.tolist()).toEqual(a.tolist());
        expect(copy.view(-1).tolist()).toEqual(a.reshape(-1).tolist());
      }),
    );
  });

  it('unsqueeze then squeeze at the same dim is the identity; expand broadcasts with stride 0', () => {
    fc.assert(
      fc.property(shapeArbitrary, fc.nat(), (shape, seed) => {
        const dim = seed % (shape.length + 1);
        const a = arange(numelOf(shape)).reshape(shape);
        const u = a.unsqueeze(dim);
        expect(u.shape).toEqual([...shape.slice(0, dim), 1, ...shape.slice(dim)]);
        expect(u.squeeze(dim).tolist()).toEqual(a.tolist());
        const e = u.expand([...shape.slice(0, dim), 3, ...shape.slice(dim)]);
        expect(e.strides[dim]).toBe(0);
        expect(e.select(dim, 2).tolist()).toEqual(a.tolist());
      }),
    );
  });
});

describe('view errors', () => {
  it('name the op, the requested and the actual shapes', () => {
    const a = arange(6).reshape(2, 3);
    expect(() => a.reshape(4, 2)).toThrow(new ShapeError('reshape: shape [4, 2] is invalid for input of size 6 (shape [2, 3])'));
    expect(() => a.view(-1, -1)).toThrow(new ShapeError('view: only one dimension can be inferred, got [-1, -1]'));
    expect(() => a.permute(0)).toThrow(new ShapeError("permute: number of dims don't match (input has 2 dimensions, got 1 dims [0])"));
    expect(() => a.permute(0, 0)).toThrow(new RangeError('permute: repeated dim in [0, 0]'));
    expect(() => a.transpose(0, 2)).toThrow(new RangeError('transpose: dimension out of range (expected to be in range of [-2, 1], but got 2)'));
    expect(() => a.expand(3, 3)).toThrow(
      new ShapeError(
        'expand: the expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0; target sizes [3, 3], tensor sizes [2, 3]',
      ),
    );
    expect(() => a.narrow(1, 2, 2)).toThrow(new RangeError('narrow: start (2) + length (2) exceeds dimension 1 of size 3'));
    expect(() => a.select(0, 2)).toThrow(new RangeError('select: index 2 is out of range for dimension 0 with size 2'));
    expect(() => a.slice(0, 0, 2, 0)).toThrow(new RangeError('slice: step must be a positive integer, got 0'));
    expect(() => tensor(1).narrow(0, 0, 1)).toThrow(new ShapeError('narrow: cannot be applied to a 0-dim tensor'));
    expect(() => arange(8).reshape(2, 2, 2).t()).toThrow(new ShapeError('t: expects a tensor with <= 2 dimensions, but got shape [2, 2, 2]'));
  });
});

describe('views copy nothing', () => {
  it('every view op shares the storage, so a write through the base shows in the view', () => {
    const base = arange(24).reshape(2, 3, 4);
    const views: [string, Tensor][] = [
      ['reshape', base.reshape(6, 4)],
      ['view', base.view(4, 6)],
      ['flatten', base.flatten(1)],
      ['permute', base.permute(2, 0, 1)],
      ['transpose', base.transpose(0, 2)],
      ['t', base.select(0, 0).t()],
      ['squeeze', base.unsqueeze(0).squeeze(0)],
      ['unsqueeze', base.unsqueeze(1)],
      ['expand', base.select(2, 0).unsqueeze(2).expand(2, 3, 5)],
      ['narrow', base.narrow(1, 1, 2)],
      ['slice', base.slice(2, 0, 4, 2)],
      ['select', base.select(1, 2)],
      ['index', base.index([1, null, [1, 3]])],
    ];
    for (const [name, view] of views) expect(view.storage, name).toBe(base.storage);
    base.storage.data[0] = 100; // element [0, 0, 0]
    expect(views.find(([name]) => name === 'permute')![1].index([0, 0, 0]).item()).toBe(100);
    expect(views.find(([name]) => name === 'expand')![1].index([0, 0, 4]).item()).toBe(100);
  });

  it('contiguous() returns the tensor itself when it is contiguous and copies only otherwise', () => {
    const a = arange(6).reshape(2, 3);
    expect(a.contiguous()).toBe(a);
    const row = a.narrow(0, 1, 1); // a contiguous view at an offset
    expect(row.contiguous()).toBe(row);
    const transposed = a.t();
    const copy = transposed.contiguous();
    expect(copy.storage).not.toBe(a.storage);
    expect(copy.isContiguous()).toBe(true);
    expect(copy.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });
});
