import { Generator, type Tensor, arange, defaultGenerator, manualSeed, tensor } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataLoader } from './data-loader.js';
import { type Dataset, TensorDataset } from './dataset.js';

const dataset = new TensorDataset(arange(10 * 3, { dtype: 'float32' }).reshape([10, 3]), arange(10, { dtype: 'int32' }));

function labelOrder(loader: Iterable<Tensor[]>): number[] {
  const seen: number[] = [];
  for (const batch of loader) seen.push(...Array.from(batch[1]!.toTypedArray()));
  return seen;
}

describe('DataLoader', () => {
  it('yields batches of batchSize in order, the last one smaller; length counts batches', () => {
    const loader = new DataLoader(dataset, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x]) => x!.shape)).toEqual([
      [4, 3],
      [4, 3],
      [2, 3],
    ]);
    expect(batches.map(([, y]) => y!.shape)).toEqual([[4], [4], [2]]);
    expect(labelOrder(loader)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('dropLast leaves out the smaller last batch', () => {
    const loader = new DataLoader(dataset, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map(([x]) => x!.shape[0])).toEqual([4, 4]);
  });

  it('batch counts follow ceil / floor of samples / batchSize for any sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (count, batchSize, dropLast) => {
        const data: Dataset<number> = { length: count, get: (i) => i };
        const loader = new DataLoader(data, { batchSize, dropLast });
        const sizes = [...loader].map((batch) => batch.shape[0]!);
        expect(sizes.length).toBe(loader.length);
        expect(loader.length).toBe(dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize));
        expect(sizes.every((size, i) => size === batchSize || (!dropLast && i === sizes.length - 1 && size < batchSize))).toBe(true);
      }),
    );
  });

  it('shuffles with the seeded generator: a permutation per pass, the same for the same seed, different between passes', () => {
    const first = new DataLoader(dataset, { batchSize: 3, shuffle: true, generator: new Generator(7) });
    const second = new DataLoader(dataset, { batchSize: 3, shuffle: true, generator: new Generator(7) });
    const pass1 = labelOrder(first);
    expect([...pass1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(labelOrder(second)).toEqual(pass1);
    const pass2 = labelOrder(first);
    expect(pass2).not.toEqual(pass1);
    expect(labelOrder(second)).toEqual(pass2);
    expect(pass1).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('without a generator, shuffling follows manualSeed', () => {
    manualSeed(3);
    const a = labelOrder(new DataLoader(dataset, { batchSize: 5, shuffle: true }));
    manualSeed(3);
    const b = labelOrder(new DataLoader(dataset, { batchSize: 5, shuffle: true }));
    expect(b).toEqual(a);
    expect(new DataLoader(dataset, { shuffle: true }).generator).toBe(defaultGenerator);
  });

  it('its own generator leaves the default one untouched', () => {
    manualSeed(11);
    const before = defaultGenerator.getState();
    labelOrder(new DataLoader(dataset, { batchSize: 4, shuffle: true, generator: new Generator(1) }));
    expect(defaultGenerator.getState()).toEqual(before);
  });

  it('uses a custom collate on the samples, and defaultCollate for a dataset without getBatch', () => {
    const squares: Dataset<{ x: number; y: number }> = { length: 5, get: (i) => ({ x: i, y: i * i }) };
    const sums = [...new DataLoader(squares, { batchSize: 2, collate: (samples) => samples.reduce((sum, s) => sum + s.y, 0) })];
    expect(sums).toEqual([1, 13, 16]);
    const [first] = [...new DataLoader(squares, { batchSize: 3 })];
    expect(first!.y.tolist()).toEqual([0, 1, 4]);
  });

  it('rejects a bad batchSize, generator or collate', () => {
    expect(() => new DataLoader(dataset, { batchSize: 0 })).toThrow(new RangeError('DataLoader: batchSize must be a positive integer, got 0'));
    expect(() => new DataLoader(dataset, { batchSize: 2.5 })).toThrow(RangeError);
    expect(() => new DataLoader(dataset, { generator: {} as Generator })).toThrow(new TypeError('DataLoader: generator must be a Generator from @strata/tensor'));
    expect(() => new DataLoader(dataset, { collate: 3 as never })).toThrow(new TypeError('DataLoader: collate must be a function'));
  });

  it('batches a tensor dataset by rows, equal to reading the samples one by one', () => {
    const loader = new DataLoader(new TensorDataset(tensor([[1, 2], [3, 4], [5, 6]]), tensor([7, 8, 9], { dtype: 'int32' })), {
      batchSize: 2,
      collate: (samples) => samples.map(([x]) => x!.tolist()),
    });
    expect([...loader]).toEqual([[[1, 2], [3, 4]], [[5, 6]]]);
  });
});
