import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type IdxArray, gunzip, loadIdx, readIdx, writeIdx } from './idx.js';
import { mnistDataset } from './mnist.js';
import { loadFashionMnist, loadIdxFile } from './node.js';

/** An IDX file written byte by byte from the format's definition (not by writeIdx). */
function idxBytes(code: number, shape: number[], payload: number[]): Uint8Array {
  const header = [0, 0, code, shape.length];
  for (const dimension of shape) header.push((dimension >>> 24) & 255, (dimension >>> 16) & 255, (dimension >>> 8) & 255, dimension & 255);
  return Uint8Array.from([...header, ...payload]);
}

const debianFolder = '/usr/share/datasets/fashion-mnist';

describe('readIdx', () => {
  it('decodes a uint8 file: shape from the big-endian header, elements in order', () => {
    const array = readIdx(idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 255]));
    expect(array.dtype).toBe('uint8');
    expect(array.shape).toEqual([2, 3]);
    expect(Array.from(array.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  it('decodes big-endian int16, int32, float32 and float64 elements', () => {
    expect(Array.from(readIdx(idxBytes(0x0b, [2], [0xff, 0xfe, 0x01, 0x00])).data)).toEqual([-2, 256]);
    expect(Array.from(readIdx(idxBytes(0x0c, [1], [0x00, 0x01, 0x00, 0x02])).data)).toEqual([65538]);
    // 0x3fc00000 is 1.5 in IEEE 754 single precision; 0xc004000000000000 is -2.5 in double.
    expect(Array.from(readIdx(idxBytes(0x0d, [1], [0x3f, 0xc0, 0, 0])).data)).toEqual([1.5]);
    expect(Array.from(readIdx(idxBytes(0x0e, [1], [0xc0, 0x04, 0, 0, 0, 0, 0, 0])).data)).toEqual([-2.5]);
    expect(Array.from(readIdx(idxBytes(0x09, [2], [0xff, 0x7f])).data)).toEqual([-1, 127]);
  });

  it('writeIdx writes what readIdx reads, for every dtype', () => {
    const arrays: IdxArray[] = [
      { dtype: 'uint8', shape: [2, 2], data: Uint8Array.from([0, 1, 128, 255]) },
      { dtype: 'int8', shape: [3], data: Int8Array.from([-128, 0, 127]) },
      { dtype: 'int16', shape: [2], data: Int16Array.from([-300, 300]) },
      { dtype: 'int32', shape: [1, 2], data: Int32Array.from([-70000, 70000]) },
      { dtype: 'float32', shape: [2], data: Float32Array.from([0.1, -3e38]) },
      { dtype: 'float64', shape: [2], data: Float64Array.from([Math.PI, -0]) },
    ];
    for (const array of arrays) {
      const back = readIdx(writeIdx(array));
      expect(back.dtype).toBe(array.dtype);
      expect(back.shape).toEqual(array.shape);
      expect(back.data).toEqual(array.data);
    }
    expect(writeIdx(arrays[0]!)).toEqual(idxBytes(0x08, [2, 2], [0, 1, 128, 255]));
  });

  it('rejects a truncated file, naming the shape and the byte counts', () => {
    expect(() => readIdx(idxBytes(0x08, [10, 28, 28], new Array(100).fill(0)))).toThrow(
      new Error('readIdx: truncated: shape [10, 28, 28] of uint8 needs 7840 data bytes, got 100'),
    );
    expect(() => readIdx(idxBytes(0x0c, [3], [0, 0, 0, 1, 0, 0]))).toThrow(new Error('readIdx: truncated: shape [3] of int32 needs 12 data bytes, got 6'));
    expect(() => readIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 5]))).toThrow(
      new Error('readIdx: truncated header: 3 dimensions need 16 header bytes, got 8'),
    );
    expect(() => readIdx(Uint8Array.from([0, 0]))).toThrow(new Error('readIdx: expected a header of at least 4 bytes, got 2 bytes'));
  });

  it('rejects dimensions whose product does not match the data (bytes left over)', () => {
    expect(() => readIdx(idxBytes(0x08, [2, 2], [1, 2, 3, 4, 5]))).toThrow(
      new Error('readIdx: the dimensions do not match the data: shape [2, 2] of uint8 needs 4 data bytes, got 5'),
    );
  });

  it('rejects a wrong magic number, an unknown type code and gzip bytes, quoting the name', () => {
    expect(() => readIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]))).toThrow(
      new Error('readIdx: not an IDX file: the magic number must start with two zero bytes, got 0x50 0x4b'),
    );
    expect(() => readIdx(idxBytes(0x0a, [1], [0]), { name: 'labels.idx' })).toThrow(
      new Error(
        'readIdx: labels.idx: unknown data type code 0x0a; expected one of 0x08 (unsigned byte), 0x09 (signed byte), 0x0b (short), 0x0c (int), 0x0d (float), 0x0e (double)',
      ),
    );
    expect(() => readIdx(gzipSync(idxBytes(0x08, [1], [7])))).toThrow(
      new Error('readIdx: the bytes are gzip-compressed; decompress them first (await gunzip(bytes)), or read them with loadIdx or loadIdxFile'),
    );
  });
});

describe('loadIdx and gunzip (DecompressionStream)', () => {
  it('decompresses gzip bytes and reads plain ones', async () => {
    const raw = idxBytes(0x08, [3], [4, 5, 6]);
    expect(await gunzip(gzipSync(raw))).toEqual(raw);
    expect(Array.from((await loadIdx(gzipSync(raw))).data)).toEqual([4, 5, 6]);
    expect(Array.from((await loadIdx(raw.buffer as ArrayBuffer)).data)).toEqual([4, 5, 6]);
  });

  it('rejects corrupt gzip data', async () => {
    const compressed = gzipSync(idxBytes(0x08, [1000], new Array(1000).fill(3)));
    await expect(loadIdx(compressed.subarray(0, compressed.length - 20))).rejects.toThrow();
  });
});

describe('mnistDataset', () => {
  const images = readIdx(idxBytes(0x08, [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]));
  const labels = readIdx(idxBytes(0x08, [3], [9, 0, 4]));

  it('scales uint8 pixels to float32 [0, 1], adds a channel dimension, and makes int32 labels', () => {
    const dataset = mnistDataset(images, labels);
    const [image, label] = dataset.get(0);
    expect(image!.shape).toEqual([1, 2, 2]);
    expect(image!.dtype).toBe('float32');
    expect(Array.from(image!.toTypedArray())).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(label!.dtype).toBe('int32');
    expect(label!.item()).toBe(9);
    expect(mnistDataset(images, labels, { limit: 2 }).length).toBe(2);
  });

  it('rejects mismatched counts, files swapped or of the wrong type, and labels out of range', () => {
    const twoLabels = readIdx(idxBytes(0x08, [2], [1, 2]));
    expect(() => mnistDataset(images, twoLabels)).toThrow(new Error('mnistDataset: 2 labels for 3 images; expected one label per image'));
    expect(() => mnistDataset(labels, images)).toThrow(
      new Error('mnistDataset: images must be a uint8 IDX array of shape [N, rows, columns], got uint8 [3]'),
    );
    expect(() => mnistDataset(images, readIdx(idxBytes(0x0c, [3], new Array(12).fill(0))))).toThrow(
      new Error('mnistDataset: labels must be a uint8 IDX array of shape [N], got int32 [3]'),
    );
    expect(() => mnistDataset(images, readIdx(idxBytes(0x08, [3], [1, 10, 2])))).toThrow(
      new Error('mnistDataset: label 10 at index 1 is out of range for 10 classes'),
    );
  });
});

describe('loadIdxFile and loadFashionMnist (node)', () => {
  it('reads gzip and plain files from disk, and quotes the path in errors', () => {
    const folder = mkdtempSync(join(tmpdir(), 'strata-idx-'));
    const raw = idxBytes(0x08, [2], [1, 2]);
    writeFileSync(join(folder, 'plain'), raw);
    writeFileSync(join(folder, 'packed.gz'), gzipSync(raw));
    expect(Array.from(loadIdxFile(join(folder, 'plain')).data)).toEqual([1, 2]);
    expect(Array.from(loadIdxFile(join(folder, 'packed.gz')).data)).toEqual([1, 2]);
    writeFileSync(join(folder, 'short'), raw.subarray(0, 9));
    expect(() => loadIdxFile(join(folder, 'short'))).toThrow(`readIdx: ${join(folder, 'short')}: truncated: shape [2] of uint8 needs 2 data bytes, got 1`);
    const packed = gzipSync(idxBytes(0x08, [4000], new Array(4000).fill(9)));
    writeFileSync(join(folder, 'cut.gz'), packed.subarray(0, packed.length - 8));
    expect(() => loadIdxFile(join(folder, 'cut.gz'))).toThrow(`loadIdxFile: ${join(folder, 'cut.gz')}: the gzip data is corrupt or truncated`);
    expect(() => loadFashionMnist(folder)).toThrow(`loadFashionMnist: found neither train-images-idx3-ubyte.gz nor train-images-idx3-ubyte in ${folder}`);
  });

  // Reference values from Python's gzip module on the same file:
  // l = gzip.open('t10k-labels-idx1-ubyte.gz').read(); im = gzip.open('t10k-images-idx3-ubyte.gz').read()
  // list(l[8:28]) -> [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0]; sum(im[16:]) -> 573469082; 1000 labels per class.
  it.skipIf(!existsSync(debianFolder))("reads Debian's Fashion-MNIST test set as Python does", () => {
    const labels = loadIdxFile(join(debianFolder, 't10k-labels-idx1-ubyte.gz'));
    expect(labels.shape).toEqual([10000]);
    expect(Array.from(labels.data.subarray(0, 20))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0]);
    const counts = new Array(10).fill(0);
    for (const label of labels.data) counts[label]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    const images = loadIdxFile(join(debianFolder, 't10k-images-idx3-ubyte.gz'));
    expect(images.shape).toEqual([10000, 28, 28]);
    expect(Array.from(images.data).reduce((sum, value) => sum + value, 0)).toBe(573469082);
    const test = loadFashionMnist(debianFolder, { split: 'test', limit: 100 });
    expect(test.length).toBe(100);
    // The first image's pixels sum to 33456 (Python: sum(im[16:16 + 784])), so its scaled values sum to 33456 / 255.
    const pixels = test.get(0)[0]!.toTypedArray();
    expect(Array.from(pixels).reduce((sum, value) => sum + value, 0)).toBeCloseTo(33456 / 255, 3);
  });
});
