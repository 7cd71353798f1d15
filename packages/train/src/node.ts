/**
 * Node.js file helpers for `@strata/train` (the `@strata/train/node`
 * entry): IDX files on disk (gzip included, through `node:zlib`), the
 * MNIST / Fashion-MNIST folders, and checkpoint files. The main entry works
 * in every runtime on bytes; this one adds `node:fs` and `node:zlib`.
 *
 * Importing it also lets the main entry's path options read and write files
 * (`fit(model, { resumeFrom: 'run.safetensors' })`, `new
 * ModelCheckpoint('run.safetensors')`, `new CsvLogger('log.csv')`): without
 * it they take bytes or a writer.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { appendFile, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { installFileAccess } from './files.js';
import { type Checkpoint, type CheckpointParts, decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
import type { TensorDataset } from './dataset.js';
import { type IdxArray, isGzip, readIdx } from './idx.js';
import { mnistDataset } from './mnist.js';

installFileAccess({
  async readBytes(path) {
    return new Uint8Array(await readFile(path));
  },
  async writeBytes(path, bytes) {
    // Through a temporary file and a rename, so a crash never leaves half a checkpoint.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  },
  async appendText(path, text) {
    await appendFile(path, text);
  },
  async fileSize(path) {
    try {
      return (await stat(path)).size;
    } catch {
      return 0;
    }
  },
});

/**
 * Reads an IDX file, gzip-compressed (`.gz`) or not: the file's first bytes
 * decide. Errors quote the path.
 *
 * @example
 * ```ts
 * import { loadIdxFile } from '@strata/train/node';
 * const labels = loadIdxFile('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * labels.shape; // [10000]
 * ```
 * @throws Error when the file cannot be read, its gzip data is corrupt, or as `readIdx` does.
 */
export function loadIdxFile(path: string): IdxArray {
  const bytes = readFileSync(path);
  let raw: Uint8Array = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`loadIdxFile: ${path}: the gzip data is corrupt or truncated (${(error as Error).message})`);
    }
  }
  return readIdx(raw, { name: path });
}

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export interface LoadMnistOptions {
  /**
   * Which files: `train` (`train-images-idx3-ubyte`, ...) or `test` (`t10k-...`).
   * @defaultValue `'train'`
   */
  split?: 'train' | 'test';
  /**
   * Keep only the first `limit` samples.
   * @defaultValue all of them
   */
  limit?: number;
}

function findIdxFile(directory: string, base: string, owner: string): string {
  for (const name of [`${base}.gz`, base]) {
    const path = join(directory, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`${owner}: found neither ${base}.gz nor ${base} in ${directory}`);
}

/**
 * Loads an MNIST-format folder (the four IDX files under their usual names,
 * `.gz` or not) as a dataset of `[image [1, 28, 28] float32 in [0, 1], label [] int32]`.
 *
 * @example
 * ```ts
 * import { loadMnist } from '@strata/train/node';
 * const test = loadMnist('data/mnist', { split: 'test' });
 * ```
 * @throws Error when a file is missing or malformed, or the images and labels do not match.
 */
export function loadMnist(directory: string, options: LoadMnistOptions = {}): TensorDataset {
  return loadMnistFolder(directory, options, 'loadMnist');
}

/**
 * Loads Fashion-MNIST from a folder of its IDX files (Debian's
 * `dataset-fashion-mnist` puts them in `/usr/share/datasets/fashion-mnist`):
 * see {@link loadMnist}; the class names are `FASHION_MNIST_CLASSES`.
 *
 * @example
 * ```ts
 * import { loadFashionMnist } from '@strata/train/node';
 * const train = loadFashionMnist('/usr/share/datasets/fashion-mnist', { split: 'train' }); // 60,000 samples
 * ```
 * @throws Error when a file is missing or malformed, or the images and labels do not match.
 */
export function loadFashionMnist(directory: string, options: LoadMnistOptions = {}): TensorDataset {
  return loadMnistFolder(directory, options, 'loadFashionMnist');
}

function loadMnistFolder(directory: string, options: LoadMnistOptions, owner: string): TensorDataset {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw new RangeError(`${owner}: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = loadIdxFile(findIdxFile(directory, `${prefix}-images-idx3-ubyte`, owner));
  const labels = loadIdxFile(findIdxFile(directory, `${prefix}-labels-idx1-ubyte`, owner));
  return mnistDataset(images, labels, options.limit === undefined ? {} : { limit: options.limit });
}

/**
 * Writes a checkpoint file (see `encodeCheckpoint`).
 *
 * @example
 * ```ts
 * saveCheckpointFile('run.safetensors', { model, optimizer, epoch: 3 });
 * ```
 */
export function saveCheckpointFile(path: string, parts: CheckpointParts): void {
  writeFileSync(path, encodeCheckpoint(parts));
}

/**
 * Reads a checkpoint file (see `decodeCheckpoint`); `loadCheckpoint` puts it back into a model and optimizer.
 *
 * @example
 * ```ts
 * const checkpoint = loadCheckpointFile('run.safetensors');
 * loadCheckpoint(checkpoint, { model, optimizer });
 * ```
 */
export function loadCheckpointFile(path: string): Checkpoint {
  return decodeCheckpoint(readFileSync(path));
}
