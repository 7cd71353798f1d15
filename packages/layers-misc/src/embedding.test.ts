import { gradcheck, gradgradcheck } from '@strata/autograd';
import { normal_ } from '@strata/module';
import { DTypeError, ShapeError, type Tensor, empty, manualSeed, ones, randint, randn, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Embedding, EmbeddingBag, embedding } from './index.js';

const int = (values: number[] | number[][]): Tensor => tensor(values, { dtype: 'int32' });

function rowNorms(weight: Tensor): number[] {
  return (weight.tolist() as number[][]).map((row) => Math.hypot(...row));
}

describe('Embedding', () => {
  it('initializes the weight from N(0, 1) and zeroes the padding row', () => {
    manualSeed(21);
    const layer = new Embedding(6, 4, { paddingIdx: -2 });
    manualSeed(21);
    const expected = normal_(empty([6, 4])).tolist() as number[][];
    expected[4] = [0, 0, 0, 0];
    expect(layer.weight.tolist()).toEqual(expected);
    expect(layer.paddingIdx).toBe(4);
    expect(Object.keys(layer.stateDict())).toEqual(['weight']);
    expect(layer.toString()).toBe('Embedding(6, 4, padding_idx=4)');
  });

  it('looks up rows for indices of any shape', () => {
    const layer = Embedding.fromPretrained(tensor([[0, 1], [2, 3], [4, 5]]));
    expect(layer.forward(int([2, 0])).tolist()).toEqual([[4, 5], [0, 1]]);
    expect(layer.forward(tensor(1, { dtype: 'int32' })).tolist()).toEqual([2, 3]);
    expect(layer.forward(randint(0, 3, [2, 3, 4])).shape).toEqual([2, 3, 4, 2]);
    expect(layer.forward(int([])).shape).toEqual([0, 2]);
  });

  it('gives the padding row no gradient and scales by frequency when asked', () => {
    const weight = ones([4, 2], { requiresGrad: true });
    const output = embedding(int([[1, 1, 3], [2, 1, 3]]), weight, { paddingIdx: 3, scaleGradByFreq: true });
    output.backward(ones([2, 3, 2]));
    // Row 1 appears 3 times and row 2 once, each scaled by 1 / count: 1 each; row 3 is padding.
    expect(weight.grad!.tolist()).toEqual([[0, 0], [1, 1], [1, 1], [0, 0]]);
    const plain = ones([4, 2], { requiresGrad: true });
    embedding(int([1, 1, 3]), plain).backward(tensor([[1, 2], [3, 4], [5, 6]]));
    expect(plain.grad!.tolist()).toEqual([[0, 0], [4, 6], [0, 0], [5, 6]]);
  });

  it('renormalizes the looked-up rows in place (no grad) before the lookup with maxNorm', () => {
    const weight = tensor([[3, 4], [0.3, 0.4], [6, 8], [1, 0]], { requiresGrad: true });
    const version = weight.version;
    const output = embedding(int([0, 1, 0]), weight, { maxNorm: 1 });
    const norms = rowNorms(weight.detach());
    expect(norms[0]).toBeCloseTo(1, 5);
    expect(norms[1]).toBeCloseTo(0.5, 6);
    const rows = weight.tolist() as number[][];
    expect(rows).toEqual([[expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)], [0.30000001192092896, 0.4000000059604645], [6, 8], [1, 0]]);
    expect(weight.version).toBeGreaterThan(version);
    expect(output.tolist()).toEqual([rows[0], rows[1], rows[0]]);
    expect(output.requiresGrad).toBe(true);
  });

  it('renormalizes with other norms (normType 1 and Infinity)', () => {
    const weight = tensor([[3, -4], [1, 1]]);
    embedding(int([0]), weight, { maxNorm: 2, normType: 1 });
    const [first] = weight.tolist() as number[][];
    expect(Math.abs(first![0]!) + Math.abs(first![1]!)).toBeCloseTo(2, 5);
    const other = tensor([[3, -4], [1, 1]]);
    embedding(int([0, 1]), other, { maxNorm: 2, normType: Number.POSITIVE_INFINITY });
    const rows = other.tolist() as number[][];
    expect(rows[0]![1]).toBeCloseTo(-2, 5);
    expect(rows[1]).toEqual([1, 1]);
  });

  it('shares the pretrained weight, frozen by default, and leaves its padding row as it is', () => {
    const pretrained = tensor([[1, 2.5, 3], [4, 5, 6]]);
    const frozen = Embedding.fromPretrained(pretrained, { paddingIdx: 0 });
    expect(frozen.weight.storage).toBe(pretrained.storage);
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(frozen.weight.tolist()).toEqual([[1, 2.5, 3], [4, 5, 6]]);
    expect(frozen.forward(int([1])).requiresGrad).toBe(false);
    expect(Embedding.fromPretrained(pretrained, { freeze: false }).weight.requiresGrad).toBe(true);
    expect(Embedding.fromPretrained(pretrained, { maxNorm: 2.5, normType: 1 }).toString()).toBe('Embedding(2, 3, max_norm=2.5, norm_type=1.0)');
  });

  it('rejects bad sizes and options, naming the argument', () => {
    expect(() => new Embedding(10, 3, { paddingIdx: 10 })).toThrow(
      new RangeError('Embedding: paddingIdx must be within numEmbeddings (expected -10 <= paddingIdx < 10), got 10'),
    );
    expect(() => new Embedding(10, 3, { paddingIdx: -11 })).toThrow(RangeError);
    expect(() => new Embedding(10, 3, { maxNorm: -1 })).toThrow(
      new RangeError('Embedding: maxNorm must be a non-negative number or null, got -1'),
    );
    expect(() => new Embedding(10, 3, { normType: Number.NaN })).toThrow(new RangeError('Embedding: normType must be a number, got NaN'));
    expect(() => new Embedding(-1, 3)).toThrow(new RangeError('Embedding: numEmbeddings must be a non-negative integer, got -1'));
    expect(() => new Embedding(4, 3, { scaleGradByFreq: 'no' as unknown as boolean })).toThrow(
      new RangeError("Embedding: scaleGradByFreq must be a boolean, got 'no'"),
    );
    expect(() => Embedding.fromPretrained(randn([3]))).toThrow(
      new ShapeError('Embedding.fromPretrained: expected a 2-D weight [numEmbeddings, embeddingDim], got shape [3]'),
    );
  });

  it('rejects out-of-range and negative indices, renormalizing no row', () => {
    manualSeed(22);
    const layer = new Embedding(10000, 4, { maxNorm: 0.1 });
    const before = Array.from(layer.weight.toTypedArray());
    const version = layer.weight.version;
    expect(() => layer.forward(int([3, 10000]))).toThrow(new RangeError('Embedding: index 10000 is out of range for 10000 embeddings'));
    expect(() => layer.forward(int([[1], [-1]]))).toThrow(new RangeError('Embedding: index -1 is out of range for 10000 embeddings'));
    expect(() => embedding(int([5]), randn([5, 2]))).toThrow(new RangeError('embedding: index 5 is out of range for 5 embeddings'));
    expect(Array.from(layer.weight.toTypedArray())).toEqual(before);
    expect(layer.weight.version).toBe(version);
  });

  it('rejects float indices and bad weights, naming the layer or op', () => {
    expect(() => new Embedding(5, 2).forward(tensor([1]))).toThrow(new DTypeError('Embedding: expected an int32 index tensor, got float32'));
    expect(() => embedding(int([1]), randn([5]))).toThrow(
      new ShapeError('embedding: expected a 2-D weight [numEmbeddings, embeddingDim], got shape [5]'),
    );
    expect(() => embedding(int([1]), int([[1, 2]]))).toThrow(new DTypeError('embedding: expected a floating point weight, got int32'));
  });

  it('passes gradcheck and gradgradcheck for the weight', () => {
    const weight = randn([6, 3], { dtype: 'float64', requiresGrad: true });
    const indices = int([[0, 2, 2], [5, 1, 2]]);
    expect(gradcheck((w) => embedding(indices, w), [weight])).toBe(true);
    expect(gradgradcheck((w) => embedding(indices, w).square(), [weight])).toBe(true);
    // With paddingIdx and scaleGradByFreq the gradient is deliberately not the derivative (PyTorch's
    // definition), so only the gradient's own derivative in the output gradient is checked.
    expect(gradgradcheck((w) => embedding(indices, w, { paddingIdx: 2, scaleGradByFreq: true }), [weight])).toBe(true);
  });

  it('accumulates the gradient as a scatter-add into the rows named, leaving the others zero', () => {
    manualSeed(23);
    const layer = new Embedding(10000, 128);
    const indices = randint(0, 10000, [64, 64]);
    const output = layer.forward(indices);
    expect(output.gradFn?.name).toBe('embedding');
    output.backward(ones([64, 64, 128]));
    const grad = layer.weight.grad!.toTypedArray();
    const counts = new Map<number, number>();
    for (const index of indices.toTypedArray()) counts.set(index, (counts.get(index) ?? 0) + 1);
    for (let row = 0; row < 10000; row++) {
      const expected = counts.get(row) ?? 0;
      if (grad[row * 128] !== expected || grad[row * 128 + 127] !== expected) throw new Error(`row ${row}: ${grad[row * 128]} != ${expected}`);
    }
  });
});

  it('writes each row of the gradient as zeros plus its rows, so −0 comes out +0 and the padding row 0', () => {
    const weight = randn([5, 2]).requiresGrad_(true);
    // Row 1 gets −0 alone, row 3 gets two rows (summed in index order), row 0 is padding, rows 2 and 4 nothing.
    // PyTorch 1.13's F.embedding(..., padding_idx=0) backward gives these values, with no sign bit set.
    embedding(int([1, 3, 0, 3]), weight, { paddingIdx: 0 }).backward(tensor([[-0, 1], [0.5, -2], [7, 7], [0.25, 3]]));
    const grad = Array.from(weight.grad!.toTypedArray());
    expect(grad).toEqual([0, 0, 0, 1, 0, 0, 0.75, 1, 0, 0]);
    expect(grad.every((value) => !Object.is(value, -0))).toBe(true);
  });

describe('Embedding with sparse: true (PyTorch tests build nn.Embedding(4, 3, sparse=True))', () => {
  it('gives a dense gradient that only the looked-up rows fill, and says sparse=True', () => {
    const layer = new Embedding(4, 3, { sparse: true });
    expect(layer.sparse).toBe(true);
    expect(layer.toString()).toBe('Embedding(4, 3, sparse=True)');
    layer.forward(tensor([1, 1, 2], { dtype: 'int32' })).sum().backward();
    // PyTorch 1.13: nn.Embedding(4, 3, sparse=True)(tensor([1, 1, 2])).sum().backward(); weight.grad.to_dense()
    expect(layer.weight.grad?.tolist()).toEqual([[0, 0, 0], [2, 2, 2], [1, 1, 1], [0, 0, 0]]);
  });

  it('refuses what PyTorch cannot do with sparse gradients, before changing anything', () => {
    expect(() => new Embedding(4, 3, { sparse: true, scaleGradByFreq: true })).toThrow(
      new RangeError('Embedding: scaleGradByFreq is not supported with sparse gradients (sparse and scaleGradByFreq cannot both be true)'),
    );
    expect(() => new EmbeddingBag(4, 3, { mode: 'max', sparse: true })).toThrow(
      new RangeError('EmbeddingBag: max mode does not support sparse weights (sparse must be false)'),
    );
    expect(() => new Embedding(4, 3, { sparse: 1 as never })).toThrow(RangeError);
  });
});
