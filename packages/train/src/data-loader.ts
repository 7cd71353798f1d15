import { Generator, defaultGenerator, randperm } from '@strata/tensor';
import { type Collated, type Dataset, defaultCollate } from './dataset.js';

/** Options of {@link DataLoader}: PyTorch's keyword arguments in camelCase. */
export interface DataLoaderOptions<Sample, Batch> {
  /**
   * Samples per batch.
   * @defaultValue 1
   */
  batchSize?: number;
  /**
   * Draw a new random order of the samples at the start of every pass.
   * @defaultValue false
   */
  shuffle?: boolean;
  /**
   * The generator the shuffling draws from; give one to make the order
   * independent of other random draws (dropout, initialization).
   * @defaultValue the default generator that `manualSeed` seeds
   */
  generator?: Generator;
  /**
   * Leave out the last batch when it is smaller than `batchSize`.
   * @defaultValue false
   */
  dropLast?: boolean;
  /**
   * Turns the samples of one batch into the batch.
   * @defaultValue the dataset's `getBatch` when it has one, else {@link defaultCollate}
   */
  collate?: (samples: Sample[]) => Batch;
}

/**
 * Batches (and optionally shuffles) a dataset, like
 * `torch.utils.data.DataLoader`: iterate it once per epoch; `length` is the
 * number of batches. Batches are made as they are read, in this thread.
 *
 * @example
 * ```ts
 * const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: 64, shuffle: true, generator: new Generator(0) });
 * for (const [input, target] of loader) {
 *   // input [64, 1, 28, 28], target [64]; the last batch may be smaller
 * }
 * ```
 * @throws RangeError when `batchSize` is not a positive integer.
 * @throws TypeError when `generator` is not a Generator or `collate` not a function.
 */
export class DataLoader<Sample, Batch = Collated<Sample>> implements Iterable<Batch> {
  /** The dataset the batches are drawn from. */
  readonly dataset: Dataset<Sample>;
  /**
   * The number of samples per batch (the last one may have fewer
   * unless `dropLast`); PyTorch's `batch_size`, 1 by default.
   */
  readonly batchSize: number;
  /** Whether each pass draws a new random order of the samples from `generator` (`false` by default). */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than `batchSize` is left out (PyTorch's `drop_last`, `false` by default). */
  readonly dropLast: boolean;
  /** The generator shuffling draws from (the default generator unless one was given). */
  readonly generator: Generator;
  private readonly collate: ((samples: Sample[]) => Batch) | undefined;

  constructor(dataset: Dataset<Sample>, options: DataLoaderOptions<Sample, Batch> = {}) {
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (options.generator !== undefined && !(options.generator instanceof Generator)) {
      throw new TypeError('DataLoader: generator must be a Generator from @strata/tensor');
    }
    if (options.collate !== undefined && typeof options.collate !== 'function') throw new TypeError('DataLoader: collate must be a function');
    if (!Number.isInteger(dataset.length) || dataset.length < 0) {
      throw new RangeError(`DataLoader: the dataset's length must be a non-negative integer, got ${dataset.length}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? defaultGenerator;
    this.collate = options.collate;
  }

  /** The number of batches one pass yields. */
  get length(): number {
    const samples = this.dataset.length;
    return this.dropLast ? Math.floor(samples / this.batchSize) : Math.ceil(samples / this.batchSize);
  }

  /**
   * One pass over the dataset. With `shuffle`, the order is drawn from the
   * generator when the pass starts (one permutation per pass).
   */
  *[Symbol.iterator](): Iterator<Batch> {
    const count = this.dataset.length;
    const order = this.shuffle ? randperm(count, { generator: this.generator }).toTypedArray() : undefined;
    const batches = this.length;
    for (let batch = 0; batch < batches; batch++) {
      const start = batch * this.batchSize;
      const end = Math.min(start + this.batchSize, count);
      const indices: number[] = new Array(end - start);
      for (let i = start; i < end; i++) indices[i - start] = order === undefined ? i : order[i]!;
      yield this.makeBatch(indices);
    }
  }

  private makeBatch(indices: number[]): Batch {
    if (this.collate !== undefined) return this.collate(indices.map((index) => this.dataset.get(index)));
    if (this.dataset.getBatch !== undefined) return this.dataset.getBatch(indices) as Batch;
    return defaultCollate(indices.map((index) => this.dataset.get(index))) as Batch;
  }
}
