import { grad, gradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, manualSeed, ones, randn, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { EmbeddingBag, embeddingBag } from './index.js';

const int = (values: number[] | number[][]): Tensor => tensor(values, { dtype: 'int32' });
const table = (): Tensor => tensor([[1, 10], [2, 20], [3, 30], [4, 40]]);

describe('embeddingBag', () => {
  it('sums, averages or takes the maximum of each bag, empty bags giving zeros', () => {
    const input = int([0, 1, 3, 2, 2]);
    const offsets = int([0, 2, 2]);
    expect(embeddingBag(input, table(), offsets, { mode: 'sum' }).tolist()).toEqual([[3, 30], [0, 0], [10, 100]]);
    expect(embeddingBag(input, table(), offsets, { mode: 'mean' }).tolist()).toEqual([[1.5, 15], [0, 0], [(4 + 3 + 3) / 3, 100 / 3]].map((row) => row.map(Math.fround)));
    expect(embeddingBag(input, table(), offsets, { mode: 'max' }).tolist()).toEqual([[2, 20], [0, 0], [4, 40]]);
  });

  it('reads a 2-D input as fixed-size bags and includeLastOffset as the end of the last bag', () => {
    expect(embeddingBag(int([[0, 1], [2, 3]]), table(), null, { mode: 'sum' }).tolist()).toEqual([[3, 30], [7, 70]]);
    expect(embeddingBag(int([0, 1, 2, 3]), table(), int([0, 1, 3]), { mode: 'sum', includeLastOffset: true }).tolist()).toEqual([
      [1, 10],
      [5, 50],
    ]);
  });

  it('leaves padding entries out of bags and of their counts', () => {
    expect(embeddingBag(int([0, 1, 1, 1]), table(), int([0, 2]), { mode: 'mean', paddingIdx: 1 }).tolist()).toEqual([[1, 10], [0, 0]]);
  });

  it('scales rows by per-sample weights, and differentiates them', () => {
    const weights = tensor([2, -1, 0.5], { requiresGrad: true });
    const output = embeddingBag(int([0, 3, 1]), table(), int([0, 2]), { mode: 'sum', perSampleWeights: weights });
    expect(output.tolist()).toEqual([[-2, -20], [1, 10]]);
    output.backward(tensor([[1, 1], [0, 1]]));
    expect(weights.grad!.tolist()).toEqual([11, 44, 20]);
  });

  it('divides each row gradient by its frequency in the whole input with scaleGradByFreq (the documented rule)', () => {
    const weight = ones([4, 2], { requiresGrad: true });
    const output = embeddingBag(int([1, 2, 1, 3, 1]), weight, int([0, 2]), { mode: 'sum', scaleGradByFreq: true });
    output.backward(ones([2, 2]));
    expect(weight.grad!.tolist()).toEqual([[0, 0], [1, 1], [1, 1], [1, 1]]);
  });

  it('sends the max gradient to the row each maximum came from, the first on ties', () => {
    const weight = tensor([[5, 1], [5, 2], [0, 9]], { requiresGrad: true });
    embeddingBag(int([0, 1, 2]), weight, int([0]), { mode: 'max' }).backward(tensor([[1, 2]]));
    expect(weight.grad!.tolist()).toEqual([[1, 0], [0, 0], [0, 2]]);
  });

  it('passes gradcheck for the weight in each mode and for the per-sample weights', () => {
    const weight = randn([5, 3], { dtype: 'float64', requiresGrad: true });
    const input = int([0, 2, 4, 2, 1, 3]);
    const offsets = int([0, 2, 2, 5]);
    for (const mode of ['sum', 'mean', 'max'] as const) {
      expect(gradcheck((w) => embeddingBag(input, w, offsets, { mode }), [weight])).toBe(true);
    }
    const sampleWeights = randn([6], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((w, s) => embeddingBag(input, w, offsets, { mode: 'sum', perSampleWeights: s }), [weight, sampleWeights])).toBe(true);
  });

  it('says plainly that its gradient has no gradient of its own', () => {
    const weight = randn([4, 2], { requiresGrad: true });
    const output = embeddingBag(int([0, 1]), weight, int([0]), { mode: 'sum' });
    const [first] = grad(output, weight, ones([1, 2], { requiresGrad: true }), { createGraph: true });
    expect(() => first!.sum().backward()).toThrow(
      'embeddingBagBackward: the gradient of the embeddingBag gradient (double backward) is not implemented',
    );
  });
});

describe('embeddingBag errors', () => {
  it('rejects bad offsets, naming the op and the values', () => {
    expect(() => embeddingBag(int([0, 1, 2]), table(), int([1, 2]))).toThrow(
      new RangeError(
        'embeddingBag: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got 1',
      ),
    );
    expect(() => embeddingBag(int([0, 1, 2]), table(), int([0, 9]))).toThrow(
      new RangeError("embeddingBag: offsets[-1] can not be greater than input's length 3, but got offsets[-1] of 9"),
    );
    expect(() => embeddingBag(int([0, 1, 2]), table(), int([0, 2, 1]))).toThrow(
      new RangeError('embeddingBag: offsets must be non-decreasing, got offsets[2] = 1 after offsets[1] = 2'),
    );
    expect(() => embeddingBag(int([0, 1, 2]), table(), tensor([0]))).toThrow(new DTypeError('embeddingBag: expected an int32 offsets tensor, got float32'));
  });

  it('rejects inputs and offsets of the wrong rank', () => {
    expect(() => embeddingBag(int([[0, 1]]), table(), int([0]))).toThrow(
      new ShapeError('embeddingBag: offsets has to be null for a 2-D input (each row is a bag of fixed length), got offsets of shape [1]'),
    );
    expect(() => embeddingBag(int([0, 1]), table())).toThrow(
      new ShapeError('embeddingBag: offsets has to be a 1-D tensor of bag starts for a 1-D input, got null'),
    );
    expect(() => embeddingBag(tensor([[[0]]], { dtype: 'int32' }), table())).toThrow(new ShapeError('embeddingBag: input has to be a 1-D or 2-D tensor, got shape [1, 1, 1]'));
    expect(() => embeddingBag(int([0, 1]), table(), int([[0]]))).toThrow(new ShapeError('embeddingBag: offsets has to be a 1-D tensor, got shape [1, 1]'));
  });

  it('rejects per-sample weights outside sum mode or of another shape', () => {
    expect(() => embeddingBag(int([0, 1]), table(), int([0]), { mode: 'mean', perSampleWeights: ones([2]) })).toThrow(
      new RangeError("embeddingBag: perSampleWeights is only supported for mode 'sum', got mode 'mean'"),
    );
    expect(() => embeddingBag(int([0, 1]), table(), int([0]), { mode: 'sum', perSampleWeights: ones([3]) })).toThrow(
      new ShapeError("embeddingBag: perSampleWeights must have the input's shape [2], got shape [3]"),
    );
  });

  it('rejects bad options in the constructor, naming the layer', () => {
    expect(() => new EmbeddingBag(4, 2, { mode: 'max', scaleGradByFreq: true })).toThrow(
      new RangeError('EmbeddingBag: max mode does not support scaling the gradient by the frequency (scaleGradByFreq must be false)'),
    );
    expect(() => new EmbeddingBag(4, 2, { mode: 'median' as 'sum' })).toThrow(
      new RangeError("EmbeddingBag: mode has to be one of 'sum', 'mean' or 'max', got 'median'"),
    );
  });

  it('rejects an out-of-range index before renormalizing anything', () => {
    manualSeed(31);
    const layer = new EmbeddingBag(6, 3, { maxNorm: 0.01 });
    const before = Array.from(layer.weight.toTypedArray());
    expect(() => layer.forward(int([0, 1, 6]), int([0]))).toThrow(new RangeError('EmbeddingBag: index 6 is out of range for 6 embeddings'));
    expect(() => layer.forward(int([0, 1, 2]), int([0, 5]))).toThrow(RangeError);
    expect(Array.from(layer.weight.toTypedArray())).toEqual(before);
  });
});

describe('EmbeddingBag', () => {
  it("prints PyTorch's repr and has PyTorch's state-dict keys", () => {
    expect(new EmbeddingBag(10, 3).toString()).toBe('EmbeddingBag(10, 3, mode=mean)');
    expect(new EmbeddingBag(10, 3, { mode: 'sum', paddingIdx: 2, maxNorm: 1.5, normType: 3 }).toString()).toBe(
      'EmbeddingBag(10, 3, max_norm=1.5, norm_type=3.0, mode=sum, padding_idx=2)',
    );
    expect(Object.keys(new EmbeddingBag(10, 3).stateDict())).toEqual(['weight']);
  });

  it('shares a pretrained weight, frozen by default', () => {
    const weight = table();
    const layer = EmbeddingBag.fromPretrained(weight, { mode: 'max' });
    expect(layer.weight.storage).toBe(weight.storage);
    expect(layer.weight.requiresGrad).toBe(false);
    expect(layer.forward(int([[0, 3]])).tolist()).toEqual([[4, 40]]);
  });
});
