import { ShapeError, Tensor, arange, tensor } from '@strata/tensor';
import { Generator } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Subset, TensorDataset, defaultCollate, randomSplit } from './dataset.js';

const images = arange(24, { dtype: 'float32' }).reshape([6, 2, 2]);
const labels = tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' });

describe('TensorDataset', () => {
  it('reads row i of every tensor', () => {
    const dataset = new TensorDataset(images, labels);
    expect(dataset.length).toBe(6);
    const [image, label] = dataset.get(4);
    expect(image!.tolist()).toEqual([
      [16, 17],
      [18, 19],
    ]);
    expect(label!.shape).toEqual([]);
    expect(label!.item()).toBe(1);
  });

  it('gathers a batch of rows into contiguous tensors of the same dtype', () => {
    const [batchImages, batchLabels] = new TensorDataset(images, labels).getBatch([5, 0, 3]);
    expect(batchImages!.shape).toEqual([3, 2, 2]);
    expect(Array.from(batchImages!.toTypedArray())).toEqual([20, 21, 22, 23, 0, 1, 2, 3, 12, 13, 14, 15]);
    expect(batchLabels!.dtype).toBe('int32');
    expect(batchLabels!.tolist()).toEqual([2, 0, 0]);
  });

  it('rejects tensors of different lengths, 0-d tensors and no tensors', () => {
    expect(() => new TensorDataset(images, tensor([1, 2, 3]))).toThrow(
      new ShapeError('TensorDataset: every tensor must have the same size in dimension 0; tensor 0 has shape [6, 2, 2], tensor 1 has shape [3]'),
    );
    expect(() => new TensorDataset(tensor(1))).toThrow(new ShapeError('TensorDataset: tensor 0 is 0-d; every tensor needs a first dimension to index'));
    expect(() => new TensorDataset()).toThrow(new ShapeError('TensorDataset: expected at least one tensor, got none'));
  });

  it('rejects indices out of range', () => {
    const dataset = new TensorDataset(images, labels);
    expect(() => dataset.get(6)).toThrow(new RangeError('TensorDataset: index 6 is out of range for 6 samples'));
    expect(() => dataset.get(-1)).toThrow(RangeError);
    expect(() => dataset.getBatch([0, 1.5])).toThrow(new RangeError('TensorDataset: index 1.5 is out of range for 6 samples'));
  });
});

describe('Subset and randomSplit', () => {
  it('Subset reads the listed samples in order, singly and batched', () => {
    const subset = new Subset(new TensorDataset(images, labels), [4, 1]);
    expect(subset.length).toBe(2);
    expect(subset.get(0)[1]!.item()).toBe(1);
    expect(subset.getBatch([1, 0])[0]!.shape).toEqual([2, 2, 2]);
    expect(Array.from(subset.getBatch([1, 0])[1]!.toTypedArray())).toEqual([1, 1]);
    expect(() => new Subset(new TensorDataset(labels), [6])).toThrow(new RangeError('Subset: index 6 is out of range for 6 samples'));
  });

  it('randomSplit partitions the indices, by counts or fractions, the same way for the same seed', () => {
    const dataset = new TensorDataset(arange(10, { dtype: 'int32' }));
    const [a, b] = randomSplit(dataset, [7, 3], { generator: new Generator(1) });
    expect([a!.length, b!.length]).toEqual([7, 3]);
    expect([...a!.indices, ...b!.indices].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [c] = randomSplit(dataset, [7, 3], { generator: new Generator(1) });
    expect(c!.indices).toEqual(a!.indices);
    // 10 * [0.25, 0.25, 0.5] = [2.5, 2.5, 5] -> floors [2, 2, 5], the remainder 1 goes to the first.
    expect(randomSplit(dataset, [0.25, 0.25, 0.5]).map((subset) => subset.length)).toEqual([3, 2, 5]);
    expect(() => randomSplit(dataset, [5, 6])).toThrow(
      new RangeError("randomSplit: the lengths must sum to the dataset's length 10 (or the fractions to 1), got [5, 6]"),
    );
  });
});

describe('defaultCollate', () => {
  it('stacks tensors, turns numbers into int32 or float32 and booleans into bool, position by position and key by key', () => {
    const batch = defaultCollate([
      { image: tensor([1, 2]), label: 3, weight: 0.5, ok: true },
      { image: tensor([3, 4]), label: 4, weight: 1, ok: false },
    ]);
    expect(batch.image.tolist()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(batch.label.dtype).toBe('int32');
    expect(batch.weight.dtype).toBe('float32');
    expect(batch.ok.dtype).toBe('bool');
    const [x, y] = defaultCollate([
      [tensor([1]), 0],
      [tensor([2]), 1],
    ]);
    expect(x).toBeInstanceOf(Tensor);
    expect(x.shape).toEqual([2, 1]);
    expect(y.tolist()).toEqual([0, 1]);
  });

  it('rejects tensors of different shapes and mixed structures', () => {
    expect(() => defaultCollate([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(
      new ShapeError('defaultCollate: cannot stack sample: the first sample has shape [2] (float32), another has [3] (float32)'),
    );
    expect(() => defaultCollate([[tensor([1])], [1]])).toThrow(new TypeError('defaultCollate: sample[0] is a Tensor in some samples but not all'));
    expect(() => defaultCollate([])).toThrow(RangeError);
  });
});
