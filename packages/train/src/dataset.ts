import { type Generator, ShapeError, Tensor, allocate, defaultGenerator, formatShape, randperm } from '@strata/tensor';

/**
 * A batch made from samples by {@link defaultCollate}: tensors are stacked
 * along a new first dimension, numbers and booleans become 1-d tensors, and
 * arrays and plain objects are collated position by position (key by key),
 * as PyTorch's `default_collate` does.
 */
export type Collated<Sample> = Sample extends Tensor
  ? Tensor
  : Sample extends number | boolean
    ? Tensor
    : Sample extends readonly unknown[]
      ? { -readonly [K in keyof Sample]: Collated<Sample[K]> }
      : Sample extends object
        ? { [K in keyof Sample]: Collated<Sample[K]> }
        : Sample;

/**
 * A map-style dataset, like `torch.utils.data.Dataset`: `length` samples,
 * read one at a time by index. A `DataLoader` batches and shuffles it.
 *
 * @example
 * ```ts
 * const squares: Dataset<[Tensor, Tensor]> = {
 *   length: 100,
 *   get: (i) => [tensor([i]), tensor([i * i])],
 * };
 * ```
 */
export interface Dataset<Sample> {
  /** The number of samples. */
  readonly length: number;
  /** The sample at `index`, for `0 <= index < length`. */
  get(index: number): Sample;
  /**
   * The already collated batch of the samples at `indices`: a fast path
   * (like PyTorch's `__getitems__`) that a `DataLoader` without its own
   * `collate` uses instead of reading and stacking samples one by one.
   */
  getBatch?(indices: readonly number[]): Collated<Sample>;
}

function checkIndex(index: number, length: number, owner: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${owner}: index ${index} is out of range for ${length} samples`);
  }
}

/**
 * Tensors that share their first dimension, read row by row, like
 * `torch.utils.data.TensorDataset`: sample `i` is `[t0[i], t1[i], ...]`.
 *
 * @example
 * ```ts
 * const dataset = new TensorDataset(images, labels); // images [N, 1, 28, 28], labels [N]
 * const [image, label] = dataset.get(0);            // [1, 28, 28] and []
 * ```
 * @throws ShapeError when there are no tensors, a tensor is 0-d, or their first dimensions differ.
 */
export class TensorDataset implements Dataset<Tensor[]> {
  /** The tensors, as given. */
  readonly tensors: readonly Tensor[];
  readonly length: number;

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ShapeError('TensorDataset: expected at least one tensor, got none');
    tensors.forEach((tensor, position) => {
      if (!(tensor instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${position} is not a Tensor`);
      if (tensor.ndim === 0) throw new ShapeError(`TensorDataset: tensor ${position} is 0-d; every tensor needs a first dimension to index`);
    });
    const length = tensors[0]!.shape[0]!;
    const other = tensors.findIndex((tensor) => tensor.shape[0] !== length);
    if (other >= 0) {
      throw new ShapeError(
        `TensorDataset: every tensor must have the same size in dimension 0; tensor 0 has shape ${formatShape(tensors[0]!.shape)}, ` +
          `tensor ${other} has shape ${formatShape(tensors[other]!.shape)}`,
      );
    }
    this.tensors = Object.freeze([...tensors]);
    this.length = length;
  }

  /** `[t0[index], t1[index], ...]` (views, no copy). */
  get(index: number): Tensor[] {
    checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((tensor) => tensor.select(0, index));
  }

  /** The rows at `indices` of every tensor, copied into new contiguous tensors. */
  getBatch(indices: readonly number[]): Tensor[] {
    for (const index of indices) checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((tensor) => gatherRows(tensor, indices));
  }
}

/** Copies rows (first-dimension slices) of a tensor into a new contiguous tensor. */
function gatherRows(tensor: Tensor, indices: readonly number[]): Tensor {
  const source = tensor.contiguousData();
  const rowSize = tensor.shape.slice(1).reduce((product, size) => product * size, 1);
  const data = allocate(tensor.dtype, indices.length * rowSize);
  for (let row = 0; row < indices.length; row++) {
    const start = indices[row]! * rowSize;
    data.set(source.subarray(start, start + rowSize), row * rowSize);
  }
  return Tensor.fromData(data, [indices.length, ...tensor.shape.slice(1)]);
}

/**
 * The samples of a dataset at the given indices, in that order, like
 * `torch.utils.data.Subset`.
 *
 * @example
 * ```ts
 * const firstThousand = new Subset(trainSet, Array.from({ length: 1000 }, (_, i) => i));
 * ```
 * @throws RangeError when an index is out of range for the dataset.
 */
export class Subset<Sample> implements Dataset<Sample> {
  /** The dataset the samples come from (PyTorch's `Subset.dataset`). */
  readonly dataset: Dataset<Sample>;
  /** The dataset's indices of this subset's samples, in order (frozen); sample `i` is `dataset.get(indices[i])`. */
  readonly indices: readonly number[];

  constructor(dataset: Dataset<Sample>, indices: readonly number[]) {
    for (const index of indices) checkIndex(index, dataset.length, 'Subset');
    this.dataset = dataset;
    this.indices = Object.freeze([...indices]);
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): Sample {
    checkIndex(index, this.indices.length, 'Subset');
    return this.dataset.get(this.indices[index]!);
  }

  getBatch(indices: readonly number[]): Collated<Sample> {
    for (const index of indices) checkIndex(index, this.indices.length, 'Subset');
    const inner = indices.map((index) => this.indices[index]!);
    if (this.dataset.getBatch !== undefined) return this.dataset.getBatch(inner);
    return defaultCollate(inner.map((index) => this.dataset.get(index)));
  }
}

/** Options of {@link randomSplit}. */
export interface RandomSplitOptions {
  /**
   * The generator that draws the permutation.
   * @defaultValue the default generator that `manualSeed` seeds
   */
  generator?: Generator;
}

/**
 * Splits a dataset into non-overlapping random subsets, like
 * `torch.utils.data.random_split`: `lengths` are sample counts that sum to
 * the dataset's length, or fractions that sum to 1 (the remainder samples
 * go one each to the first subsets, round-robin, as PyTorch does).
 *
 * @example
 * ```ts
 * const [train, validation] = randomSplit(dataset, [0.9, 0.1], { generator: new Generator(0) });
 * ```
 * @throws RangeError when the lengths are negative or do not add up.
 */
export function randomSplit<Sample>(dataset: Dataset<Sample>, lengths: readonly number[], options: RandomSplitOptions = {}): Subset<Sample>[] {
  const total = dataset.length;
  let counts = [...lengths];
  if (counts.some((value) => !(value >= 0))) throw new RangeError(`randomSplit: lengths must be non-negative, got [${lengths.join(', ')}]`);
  const fractionSum = counts.reduce((sum, value) => sum + value, 0);
  if (Math.abs(fractionSum - 1) < 1e-9 && counts.some((value) => !Number.isInteger(value))) {
    counts = counts.map((fraction) => Math.floor(total * fraction));
    const remainder = total - counts.reduce((sum, value) => sum + value, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length]!++;
  }
  const sum = counts.reduce((accumulated, value) => accumulated + value, 0);
  if (counts.some((value) => !Number.isInteger(value)) || sum !== total) {
    throw new RangeError(`randomSplit: the lengths must sum to the dataset's length ${total} (or the fractions to 1), got [${lengths.join(', ')}]`);
  }
  const permutation = randperm(total, { generator: options.generator ?? defaultGenerator }).toTypedArray();
  const subsets: Subset<Sample>[] = [];
  let start = 0;
  for (const count of counts) {
    subsets.push(new Subset(dataset, Array.from(permutation.subarray(start, start + count))));
    start += count;
  }
  return subsets;
}

/**
 * Turns a list of samples into a batch, like PyTorch's `default_collate`:
 * tensors are stacked (a new first dimension), numbers become a 1-d tensor
 * (int32 when all are integers, float32 otherwise), booleans a bool tensor,
 * and arrays and plain objects are collated position by position.
 *
 * @throws ShapeError when tensors to stack differ in shape.
 * @throws TypeError when the samples have different structures or an element cannot be collated.
 */
export function defaultCollate<Sample>(samples: readonly Sample[]): Collated<Sample> {
  if (samples.length === 0) throw new RangeError('defaultCollate: expected at least one sample, got none');
  return collateValues(samples, 'sample') as Collated<Sample>;
}

function collateValues(values: readonly unknown[], path: string): unknown {
  const first = values[0];
  if (first instanceof Tensor) {
    if (!values.every((value) => value instanceof Tensor)) throw new TypeError(`defaultCollate: ${path} is a Tensor in some samples but not all`);
    return stackRows(values as Tensor[], path);
  }
  if (typeof first === 'number') {
    if (!values.every((value) => typeof value === 'number')) throw new TypeError(`defaultCollate: ${path} is a number in some samples but not all`);
    const numbers = values as number[];
    const data = numbers.every((value) => Number.isInteger(value)) ? Int32Array.from(numbers) : Float32Array.from(numbers);
    return Tensor.fromData(data, [numbers.length]);
  }
  if (typeof first === 'boolean') {
    if (!values.every((value) => typeof value === 'boolean')) throw new TypeError(`defaultCollate: ${path} is a boolean in some samples but not all`);
    return Tensor.fromData(Uint8Array.from(values as boolean[], (value) => (value ? 1 : 0)), [values.length]);
  }
  if (Array.isArray(first)) {
    if (!values.every((value) => Array.isArray(value) && value.length === first.length)) {
      throw new TypeError(`defaultCollate: ${path} is an array of ${first.length} elements in the first sample but not in all`);
    }
    return first.map((_, position) => collateValues(values.map((value) => (value as unknown[])[position]), `${path}[${position}]`));
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      result[key] = collateValues(
        values.map((value) => {
          if (value === null || typeof value !== 'object' || !(key in value)) throw new TypeError(`defaultCollate: ${path}.${key} is missing in some samples`);
          return (value as Record<string, unknown>)[key];
        }),
        `${path}.${key}`,
      );
    }
    return result;
  }
  if (typeof first === 'string') return [...values];
  throw new TypeError(`defaultCollate: cannot collate ${path} of type ${first === null ? 'null' : typeof first}`);
}

/** `stack(values)` without the autograd bookkeeping: samples are data, copied row by row. */
function stackRows(values: readonly Tensor[], path: string): Tensor {
  const first = values[0]!;
  const rowSize = first.numel();
  for (const value of values) {
    if (value.dtype !== first.dtype || value.shape.length !== first.shape.length || value.shape.some((size, axis) => size !== first.shape[axis])) {
      throw new ShapeError(
        `defaultCollate: cannot stack ${path}: the first sample has shape ${formatShape(first.shape)} (${first.dtype}), ` +
          `another has ${formatShape(value.shape)} (${value.dtype})`,
      );
    }
  }
  const data = allocate(first.dtype, values.length * rowSize);
  values.forEach((value, row) => data.set(value.contiguousData(), row * rowSize));
  return Tensor.fromData(data, [values.length, ...first.shape]);
}
