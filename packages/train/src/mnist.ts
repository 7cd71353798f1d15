import { Tensor } from '@strata/tensor';
import { TensorDataset } from './dataset.js';
import type { IdxArray } from './idx.js';

/** The ten classes of Fashion-MNIST, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/** Options of {@link mnistDataset}. */
export interface MnistDatasetOptions {
  /**
   * Keep only the first `limit` images (and labels).
   * @defaultValue all of them
   */
  limit?: number;
  /**
   * The number of classes; a label outside `[0, numClasses)` is an error.
   * @defaultValue 10
   */
  numClasses?: number;
}

function describe(array: IdxArray): string {
  return `${array.dtype} [${array.shape.join(', ')}]`;
}

/**
 * Makes a dataset of an MNIST-style pair of IDX arrays (as `readIdx`,
 * `loadIdx` or `loadIdxFile` return them): `uint8` images `[N, rows, columns]`
 * become float32 `[N, 1, rows, columns]` scaled to [0, 1], `uint8` labels
 * `[N]` become int32 class indices. Sample `i` is `[image [1, rows, columns], label []]`.
 *
 * @example
 * ```ts
 * const train = mnistDataset(loadIdxFile('train-images-idx3-ubyte.gz'), loadIdxFile('train-labels-idx1-ubyte.gz'));
 * ```
 * @throws Error when the images or labels are not uint8 arrays of the right rank (a file mixed up with
 * another), when the label count differs from the image count, or when a label is out of range.
 * @throws RangeError when `limit` is not a non-negative integer.
 */
export function mnistDataset(images: IdxArray, labels: IdxArray, options: MnistDatasetOptions = {}): TensorDataset {
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new Error(`mnistDataset: images must be a uint8 IDX array of shape [N, rows, columns], got ${describe(images)}`);
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new Error(`mnistDataset: labels must be a uint8 IDX array of shape [N], got ${describe(labels)}`);
  }
  const [imageCount, rows, columns] = images.shape as [number, number, number];
  const labelCount = labels.shape[0]!;
  if (labelCount !== imageCount) throw new Error(`mnistDataset: ${labelCount} labels for ${imageCount} images; expected one label per image`);
  const limit = options.limit ?? imageCount;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`mnistDataset: limit must be a non-negative integer, got ${limit}`);
  const count = Math.min(limit, imageCount);
  const numClasses = options.numClasses ?? 10;
  const labelData = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i]!;
    if (label >= numClasses) throw new Error(`mnistDataset: label ${label} at index ${i} is out of range for ${numClasses} classes`);
    labelData[i] = label;
  }
  const pixels = count * rows * columns;
  const imageData = new Float32Array(pixels);
  const source = images.data;
  for (let i = 0; i < pixels; i++) imageData[i] = source[i]! / 255;
  return new TensorDataset(Tensor.fromData(imageData, [count, 1, rows, columns]), Tensor.fromData(labelData, [count]));
}
