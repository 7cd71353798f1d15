import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DTypeError,
  ShapeError,
  Tensor,
  arange,
  gather,
  index,
  indexSelect,
  installGradientRecorder,
  maskedFill,
  scatter,
  scatterAdd,
  tensor,
  zeros,
} from '../index.js';

interface Recorded {
  name: string;
  inputs: readonly Tensor[];
  output: Tensor;
  attributes: unknown;
}

/** A stand-in for @strata/autograd that logs what ops record and marks outputs as non-leaves. */
function installLoggingRecorder(): Recorded[] {
  const log: Recorded[] = [];
  installGradientRecorder({
    record(name, inputs, output, attributes) {
      log.push({ name, inputs, output, attributes });
      output.setGradientNode({ name });
    },
    rebase(tensor, source) {
      tensor.setGradientNode(source.gradFn);
    },
    observe() {},
    backward() {
      throw new Error('not in these tests');
    },
  });
  return log;
}

function ints(values: number[], shape: number[] = [values.length]): Tensor {
  return tensor(new Int32Array(values), { shape });
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

function ravel(position: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + position[d]!;
  return flat;
}

/** gather by its definition: out[p] = input[p with p[dim] replaced by index[p]]. */
function referenceGather(input: Tensor, dim: number, indexTensor: Tensor): number[] {
  const values = Array.from(input.toTypedArray());
  const indices = Array.from(indexTensor.toTypedArray());
  return indices.map((target, flat) => {
    const position = unravel(flat, indexTensor.shape);
    position[dim] = target;
    return values[ravel(position, input.shape)]!;
  });
}

/** scatterAdd by its definition: out = input; out[p with p[dim] = index[p]] += source[p] over index's positions. */
function referenceScatterAdd(input: Tensor, dim: number, indexTensor: Tensor, source: Tensor): number[] {
  const out = Array.from(input.toTypedArray());
  const sourceValues = Array.from(source.toTypedArray());
  const indices = Array.from(indexTensor.toTypedArray());
  indices.forEach((target, flat) => {
    const position = unravel(flat, indexTensor.shape);
    const sourceValue = sourceValues[ravel(position, source.shape)]!;
    position[dim] = target;
    out[ravel(position, input.shape)]! += sourceValue;
  });
  return out;
}

/** Shapes, a dim, and an index no larger than the input outside `dim` with values in range. */
const gatherCase = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      dim: fc.integer({ min: 0, max: shape.length - 1 }),
      indexShape: fc.tuple(...shape.map((size) => fc.integer({ min: 0, max: size + 2 }))),
      seed: fc.integer(),
    }),
  )
  .map(({ shape, dim, indexShape, seed }) => {
    const clipped = indexShape.map((size, d) => (d === dim ? size : Math.min(size, shape[d]!)));
    const count = clipped.reduce((product, size) => product * size, 1);
    const values = Array.from({ length: count }, (_, i) => Math.abs((seed + i * 7919) % shape[dim]!));
    return { shape, dim, index: ints(values, clipped) };
  });

let log: Recorded[] = [];
beforeEach(() => {
  log = installLoggingRecorder();
});
afterEach(() => {
  log = [];
});

describe('gather', () => {
  it('matches torch.gather on a worked example', () => {
    // torch.gather(torch.tensor([[1., 2.], [3., 4.]]), 1, torch.tensor([[0, 0], [1, 0]])) -> [[1., 1.], [4., 3.]]
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(gather(x, 1, ints([0, 0, 1, 0], [2, 2])).tolist()).toEqual([
      [1, 1],
      [4, 3],
    ]);
    expect(x.gather(0, ints([1, 0], [1, 2])).tolist()).toEqual([[3, 2]]);
    expect(gather(tensor(5), 0, ints([0], [])).tolist()).toBe(5);
  });

  it('matches the reference loop, for strided inputs too (property)', () => {
    fc.assert(
      fc.property(gatherCase, fc.boolean(), ({ shape, dim, index: indexTensor }, transposed) => {
        const count = shape.reduce((product, size) => product * size, 1);
        let input = arange(count).reshape(shape);
        if (transposed && shape.length > 1) {
          input = arange(count).reshape([...shape].reverse()).permute(shape.map((_, d) => shape.length - 1 - d));
        }
        const result = gather(input, dim, indexTensor);
        expect(result.shape).toEqual(indexTensor.shape);
        expect(Array.from(result.toTypedArray())).toEqual(referenceGather(input, dim, indexTensor));
      }),
    );
  });

  it('records the index for the gradient', () => {
    const x = zeros([2, 3], { requiresGrad: true });
    const indexTensor = ints([0, 2], [2, 1]);
    const result = gather(x, -1, indexTensor);
    expect(log.map((entry) => entry.name)).toEqual(['gather']);
    expect(log[0]!.inputs).toEqual([x]);
    expect(log[0]!.output).toBe(result);
    expect(log[0]!.attributes).toEqual({ dim: 1, index: indexTensor, inputShape: [2, 3] });
  });

  it('rejects bad input with pinned messages', () => {
    const x = zeros([2, 5]);
    expect(() => gather(x, 1, ints([0, 7], [1, 2]))).toThrow(new RangeError('gather: index 7 is out of bounds for dimension 1 with size 5'));
    expect(() => gather(x, 0, ints([-1], [1, 1]))).toThrow(new RangeError('gather: index -1 is out of bounds for dimension 0 with size 2'));
    expect(() => gather(x, 1, tensor([[0]]))).toThrow(new DTypeError('gather: expected index to have dtype int32, got float32'));
    expect(() => gather(x, 1, ints([0]))).toThrow(
      new ShapeError('gather: index must have the same number of dimensions as input, got index shape [1] and input shape [2, 5]'),
    );
    expect(() => gather(x, 1, ints([0, 0, 0], [3, 1]))).toThrow(
      new ShapeError('gather: index shape [3, 1] is larger than input shape [2, 5] at dimension 0 (only dimension 1 may be larger)'),
    );
    expect(() => gather(x, 2, ints([0], [1, 1]))).toThrow('gather: dimension out of range (expected to be in range of [-2, 1], but got 2)');
  });
});

describe('scatter and scatterAdd', () => {
  it('scatterAdd matches torch.scatter_add on a worked example', () => {
    // torch.zeros(3).scatter_add(0, torch.tensor([0, 2, 0]), torch.tensor([1., 2., 3.])) -> [4., 0., 2.]
    expect(scatterAdd(zeros([3]), 0, ints([0, 2, 0]), tensor([1, 2, 3])).tolist()).toEqual([4, 0, 2]);
    // torch.ones(2, 3).scatter_add(1, torch.tensor([[2], [0]]), torch.tensor([[5., 6.], [7., 8.]])) -> [[1, 1, 6], [8, 1, 1]]
    expect(
      tensor([
        [1, 1, 1],
        [1, 1, 1],
      ])
        .scatterAdd(1, ints([2, 0], [2, 1]), tensor([
          [5, 6],
          [7, 8],
        ]))
        .tolist(),
    ).toEqual([
      [1, 1, 6],
      [8, 1, 1],
    ]);
  });

  it('scatterAdd matches the reference loop and leaves its input alone (property)', () => {
    fc.assert(
      fc.property(gatherCase, fc.integer({ min: 0, max: 2 }), ({ shape, dim, index: indexTensor }, extra) => {
        const count = shape.reduce((product, size) => product * size, 1);
        const input = arange(count).reshape(shape);
        const before = Array.from(input.toTypedArray());
        // A source larger than the index: only the part the index covers is read.
        const sourceShape = indexTensor.shape.map((size) => size + extra);
        const source = arange(1000, 1000 + sourceShape.reduce((product, size) => product * size, 1)).reshape(sourceShape);
        const result = scatterAdd(input, dim, indexTensor, source);
        expect(result.shape).toEqual(shape);
        expect(Array.from(result.toTypedArray())).toEqual(referenceScatterAdd(input, dim, indexTensor, source));
        expect(Array.from(input.toTypedArray())).toEqual(before);
      }),
    );
  });

  it('scatter writes values or a number', () => {
    // torch.zeros(2, 4).scatter(1, torch.tensor([[3, 1], [0, 2]]), torch.tensor([[1., 2.], [3., 4.]]))
    //   -> [[0., 2., 0., 1.], [3., 0., 4., 0.]]
    const result = scatter(zeros([2, 4]), 1, ints([3, 1, 0, 2], [2, 2]), tensor([
      [1, 2],
      [3, 4],
    ]));
    expect(result.tolist()).toEqual([
      [0, 2, 0, 1],
      [3, 0, 4, 0],
    ]);
    expect(zeros([2, 2]).scatter(0, ints([1, 0], [1, 2]), 9).tolist()).toEqual([
      [0, 9],
      [9, 0],
    ]);
    expect(scatter(zeros([3], { dtype: 'int32' }), 0, ints([2]), 7).tolist()).toEqual([0, 0, 7]);
  });

  it('records scatter and scatterAdd with the index and the source shape', () => {
    const x = zeros([3], { requiresGrad: true });
    const source = tensor([1, 2]);
    const indexTensor = ints([0, 2]);
    scatterAdd(x, 0, indexTensor, source);
    scatter(x, 0, indexTensor, 1);
    expect(log.map((entry) => [entry.name, entry.inputs.length, entry.attributes])).toEqual([
      ['scatterAdd', 2, { dim: 0, index: indexTensor, sourceShape: [2] }],
      ['scatter', 1, { dim: 0, index: indexTensor, sourceShape: null }],
    ]);
  });

  it('rejects bad input with pinned messages', () => {
    const x = zeros([2, 3]);
    const source = zeros([2, 3]);
    expect(() => scatterAdd(x, 1, ints([0, 3], [1, 2]), source)).toThrow(
      new RangeError('scatterAdd: index 3 is out of bounds for dimension 1 with size 3'),
    );
    expect(() => scatter(x, 0, ints([5], [1, 1]), 1)).toThrow(new RangeError('scatter: index 5 is out of bounds for dimension 0 with size 2'));
    expect(() => scatterAdd(x, 1, tensor([[0]], { dtype: 'float64' }), source)).toThrow(
      new DTypeError('scatterAdd: expected index to have dtype int32, got float64'),
    );
    expect(() => scatterAdd(x, 1, ints([0], [1, 1]), zeros([2, 3], { dtype: 'float64' }))).toThrow(
      new DTypeError('scatterAdd: expected src to have the same dtype as input (float32), got float64'),
    );
    expect(() => scatterAdd(x, 1, ints([0, 0, 0], [1, 3]), zeros([1, 2]))).toThrow(
      new ShapeError('scatterAdd: index shape [1, 3] is larger than src shape [1, 2] at dimension 1'),
    );
    expect(() => scatterAdd(x, 1, ints([0], [1, 1]), zeros([3]))).toThrow(
      new ShapeError('scatterAdd: src must have the same number of dimensions as input, got src shape [3] and input shape [2, 3]'),
    );
    expect(() => scatter(x, 1, ints([0, 0, 0], [3, 1]), 0)).toThrow(
      new ShapeError('scatter: index shape [3, 1] is larger than input shape [2, 3] at dimension 0 (only dimension 1 may be larger)'),
    );
  });
});

describe('indexSelect', () => {
  it('selects slices along a dim, repeats allowed', () => {
    const x = arange(12).reshape(3, 4);
    expect(indexSelect(x, 1, ints([3, 0, 3])).tolist()).toEqual([
      [3, 0, 3],
      [7, 4, 7],
      [11, 8, 11],
    ]);
    expect(x.indexSelect(0, ints([2])).tolist()).toEqual([[8, 9, 10, 11]]);
    expect(indexSelect(x, 0, ints([])).shape).toEqual([0, 4]);
    expect(indexSelect(x.t(), 0, ints([1])).tolist()).toEqual([[1, 5, 9]]);
    expect(indexSelect(x, 0, ints([1], [])).shape).toEqual([1, 4]);
  });

  it('matches the reference loop (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 5 }),
        (shape, dimSeed, picks) => {
          const dim = dimSeed % shape.length;
          const count = shape.reduce((product, size) => product * size, 1);
          const x = arange(count).reshape(shape);
          const indexValues = picks.map((pick) => pick % shape[dim]!);
          const result = indexSelect(x, dim, ints(indexValues));
          const outShape = shape.map((size, d) => (d === dim ? indexValues.length : size));
          expect(result.shape).toEqual(outShape);
          const values = Array.from(result.toTypedArray());
          values.forEach((value, flat) => {
            const position = unravel(flat, outShape);
            position[dim] = indexValues[position[dim]!]!;
            expect(value).toBe(ravel(position, shape));
          });
        },
      ),
    );
  });

  it('records and rejects bad input', () => {
    const x = zeros([2, 3], { requiresGrad: true });
    const indexTensor = ints([1]);
    indexSelect(x, 1, indexTensor);
    expect(log[0]!.name).toBe('indexSelect');
    expect(log[0]!.attributes).toEqual({ dim: 1, index: indexTensor, inputShape: [2, 3] });
    expect(() => indexSelect(x, 1, ints([3]))).toThrow(new RangeError('indexSelect: index 3 is out of bounds for dimension 1 with size 3'));
    expect(() => indexSelect(x, 1, ints([0, 0], [1, 2]))).toThrow(new ShapeError('indexSelect: index must be 0-d or 1-d, got shape [1, 2]'));
    expect(() => indexSelect(x, 1, tensor([true]))).toThrow(new DTypeError('indexSelect: expected index to have dtype int32, got bool'));
  });
});

describe('maskedFill', () => {
  it('fills where the mask is true, broadcasting like torch.masked_fill', () => {
    const x = tensor([1, 2, 3]);
    expect(maskedFill(x, tensor([true, false, true]), 0).tolist()).toEqual([0, 2, 0]);
    // torch.zeros(3).masked_fill(torch.tensor([[True], [False]]), 1) -> [[1., 1., 1.], [0., 0., 0.]]
    expect(maskedFill(zeros([3]), tensor([[true], [false]]), 1).tolist()).toEqual([
      [1, 1, 1],
      [0, 0, 0],
    ]);
    expect(x.maskedFill(tensor(true), tensor(-1)).tolist()).toEqual([-1, -1, -1]);
    expect(maskedFill(ints([1, 2]), tensor([false, true]), 2.5).tolist()).toEqual([1, 2]);
    expect(maskedFill(tensor([false, false]), tensor([false, true]), 5).tolist()).toEqual([false, true]);
    expect(x.tolist()).toEqual([1, 2, 3]);
  });

  it('records the mask, with a tensor value as a second input', () => {
    const x = zeros([2], { requiresGrad: true });
    const mask = tensor([true, false]);
    const value = tensor(3, { requiresGrad: true });
    maskedFill(x, mask, value);
    expect(log[0]!.name).toBe('maskedFill');
    expect(log[0]!.inputs).toEqual([x, value]);
    expect(log[0]!.attributes).toEqual({ mask, inputShape: [2] });
  });

  it('rejects bad input with pinned messages', () => {
    expect(() => maskedFill(zeros([3]), ints([1, 0, 1]), 0)).toThrow(new DTypeError('maskedFill: expected mask to have dtype bool, got int32'));
    expect(() => maskedFill(zeros([3]), tensor([true, false]), 0)).toThrow(
      new ShapeError('maskedFill: shapes [3] and [2] cannot be broadcast (size 3 != 2 at dimension 0)'),
    );
    expect(() => maskedFill(zeros([3]), tensor([true, false, true]), tensor([1]))).toThrow(
      new ShapeError('maskedFill: only supports a 0-dimensional value tensor, but got a tensor of shape [1]'),
    );
  });
});

describe('index', () => {
  it('reads like Python basic indexing and returns a view', () => {
    const x = arange(24).reshape(2, 3, 4);
    // x[1, :, 0:2]
    const view = index(x, [1, null, [0, 2]]);
    expect(view.tolist()).toEqual([
      [12, 13],
      [16, 17],
      [20, 21],
    ]);
    expect(view.storage).toBe(x.storage);
    // x[-1, 1:, ::3] and x[:, 2] (trailing dims kept whole)
    expect(x.index([-1, [1], [null, null, 3]]).tolist()).toEqual([
      [16, 19],
      [20, 23],
    ]);
    expect(index(x, [null, 2]).tolist()).toEqual([
      [8, 9, 10, 11],
      [20, 21, 22, 23],
    ]);
    expect(index(x, [1, 2, 3]).tolist()).toBe(23);
    expect(index(x, []).shape).toEqual([2, 3, 4]);
    // x[0, -2:100]
    expect(index(x, [0, [-2, 100]]).shape).toEqual([2, 4]);
  });

  it('is recorded as views, so gradients come from select and slice', () => {
    const x = zeros([2, 3], { requiresGrad: true });
    index(x, [1, [0, 2]]);
    expect(log.map((entry) => entry.name)).toEqual(['select', 'slice']);
  });

  it('rejects bad specs with pinned messages', () => {
    const x = zeros([2, 3]);
    expect(() => index(x, [0, 0, 0])).toThrow(new RangeError('index: too many indices for a tensor of dimension 2 (got 3)'));
    expect(() => index(x, [null, 3])).toThrow(new RangeError('index: index 3 is out of bounds for dimension 1 with size 3'));
    expect(() => index(x, [-3])).toThrow(new RangeError('index: index -3 is out of bounds for dimension 0 with size 2'));
    expect(() => index(x, [[0, 2, 0]])).toThrow(new RangeError('index: step must be a positive integer, got 0 at dimension 0'));
    expect(() => index(x, [[0.5]])).toThrow(new RangeError('index: slice bounds must be integers, got 0.5 at dimension 0'));
  });
});
