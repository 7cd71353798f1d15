/**
 * Properties of the convolution kernels over random geometries (every rank,
 * path — direct, im2col, depthwise, pointwise, chunked batches — and padding
 * mode): the output shape follows PyTorch's formula, the values are the
 * convolution's definition summed naively, and since a convolution is
 * linear in its input and in its weight, backward with upstream `y` must
 * give `⟨y, out⟩ = ⟨x.grad, x⟩ = ⟨w.grad, w⟩` (exact math, float64 rounding
 * aside). The bias gradient is the upstream summed per channel.
 */
import '@strata/autograd';
import { type Tensor, randn, tensor } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d } from '../index.js';
import type { PaddingMode } from '../options.js';

const convs = [conv1d, conv2d, conv3d];
const transposes = [convTranspose1d, convTranspose2d, convTranspose3d];

function dot(a: Tensor, b: Tensor): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
  return sum;
}

/** The convolution by its definition, in float64: every output sums weight × input over its window. */
function naiveConvolution(
  x: Tensor, w: Tensor, b: Tensor, stride: number[], padding: number[], dilation: number[], groups: number, mode: PaddingMode,
): Float64Array {
  const [batch, channels, ...size] = x.shape as number[];
  const [outChannels, groupChannels, ...kernel] = w.shape as number[];
  const rank = size.length;
  const outSize = size.map((length, d) => Math.floor((length + 2 * padding[d]! - dilation[d]! * (kernel[d]! - 1) - 1) / stride[d]!) + 1);
  const xs = x.toTypedArray();
  const ws = w.toTypedArray();
  const bs = b.toTypedArray();
  const volume = (sizes: number[]): number => sizes.reduce((total, length) => total * length, 1);
  const unravel = (index: number, sizes: number[]): number[] => {
    const result: number[] = [];
    for (let d = sizes.length - 1; d >= 0; d--) {
      result.unshift(index % sizes[d]!);
      index = Math.floor(index / sizes[d]!);
    }
    return result;
  };
  const source = (i: number, length: number): number => {
    if (i >= 0 && i < length) return i;
    if (mode === 'zeros') return -1;
    if (mode === 'replicate') return i < 0 ? 0 : length - 1;
    if (mode === 'reflect') return i < 0 ? -i : 2 * (length - 1) - i;
    return ((i % length) + length) % length;
  };
  const result = new Float64Array(batch * outChannels * volume(outSize));
  let at = 0;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const g = Math.floor(o / (outChannels / groups));
      for (let p = 0; p < volume(outSize); p++) {
        const position = unravel(p, outSize);
        let sum = bs[o]!;
        for (let c = 0; c < groupChannels; c++) {
          for (let k = 0; k < volume(kernel); k++) {
            const offset = unravel(k, kernel);
            let index = n * channels + g * groupChannels + c;
            let inside = true;
            for (let d = 0; d < rank; d++) {
              const i = source(position[d]! * stride[d]! - padding[d]! + offset[d]! * dilation[d]!, size[d]!);
              if (i < 0) inside = false;
              index = index * size[d]! + i;
            }
            if (inside) sum += ws[(o * groupChannels + c) * volume(kernel) + k]! * xs[index]!;
          }
        }
        result[at++] = sum;
      }
    }
  }
  return result;
}

function expectBilinear(output: Tensor, x: Tensor, w: Tensor, b: Tensor): void {
  const upstream = randn(output.shape, { dtype: 'float64' });
  output.backward(upstream);
  const reference = dot(upstream, output) - dot(upstream.sum(0).reshape([b.shape[0]!, -1]).sum(1), b);
  const scale = Math.max(1, Math.abs(reference));
  expect(Math.abs(dot(x.grad!, x) - reference)).toBeLessThan(1e-9 * scale);
  expect(Math.abs(dot(w.grad!, w) - reference)).toBeLessThan(1e-9 * scale);
  const perChannel = upstream.transpose(0, 1).reshape([b.shape[0]!, -1]).sum(1);
  expect(Array.from(b.grad!.toTypedArray()).map((value, c) => value - perChannel.toTypedArray()[c]!).every((d) => Math.abs(d) < 1e-9)).toBe(true);
}

const dimension = fc.record({
  kernel: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 3 }),
  dilation: fc.integer({ min: 1, max: 2 }),
  padding: fc.integer({ min: 0, max: 2 }),
  extra: fc.integer({ min: 0, max: 4 }),
});

const geometry = fc.record({
  rank: fc.integer({ min: 1, max: 3 }),
  batch: fc.integer({ min: 1, max: 3 }),
  groups: fc.integer({ min: 1, max: 3 }),
  groupChannels: fc.integer({ min: 1, max: 3 }),
  groupOutChannels: fc.integer({ min: 1, max: 5 }),
  dims: fc.array(dimension, { minLength: 3, maxLength: 3 }),
  paddingMode: fc.constantFrom<PaddingMode>('zeros', 'reflect', 'replicate', 'circular'),
});

describe('convolution over random geometries', () => {
  it('has the output shape of PyTorch formula and bilinear gradients', () => {
    fc.assert(
      fc.property(geometry, ({ rank, batch, groups, groupChannels, groupOutChannels, dims, paddingMode }) => {
        const used = dims.slice(0, rank);
        const size = used.map((d) => Math.max(d.dilation * (d.kernel - 1) + 1 - 2 * d.padding, 1) + d.extra);
        // Reflect needs padding < size; circular padding <= size.
        const mode = used.every((d, i) => d.padding < size[i]!) ? paddingMode : 'zeros';
        const x = randn([batch, groups * groupChannels, ...size], { dtype: 'float64', requiresGrad: true });
        const w = randn([groups * groupOutChannels, groupChannels, ...used.map((d) => d.kernel)], { dtype: 'float64', requiresGrad: true });
        const b = randn([groups * groupOutChannels], { dtype: 'float64', requiresGrad: true });
        const options = {
          stride: used.map((d) => d.stride), padding: used.map((d) => d.padding), dilation: used.map((d) => d.dilation), groups, paddingMode: mode,
        };
        const output = convs[rank - 1]!(x, w, b, options);
        const expectedSize = used.map((d, i) => Math.floor((size[i]! + 2 * d.padding - d.dilation * (d.kernel - 1) - 1) / d.stride) + 1);
        expect(output.shape).toEqual([batch, groups * groupOutChannels, ...expectedSize]);
        const reference = naiveConvolution(x, w, b, options.stride, options.padding, options.dilation, groups, mode);
        const values = output.toTypedArray();
        for (let i = 0; i < reference.length; i++) expect(Math.abs(values[i]! - reference[i]!)).toBeLessThan(1e-9);
        expectBilinear(output, x, w, b);
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});

describe('transposed convolution over random geometries', () => {
  it('has the output shape of PyTorch formula and bilinear gradients', () => {
    fc.assert(
      fc.property(geometry, ({ rank, batch, groups, groupChannels, groupOutChannels, dims }) => {
        const used = dims.slice(0, rank);
        const size = used.map((d) => 1 + d.extra);
        // outputPadding below max(stride, dilation), and a positive output.
        const outputPadding = used.map((d) => Math.max(d.stride, d.dilation) - 1);
        const expectedSize = used.map((d, i) => (size[i]! - 1) * d.stride - 2 * d.padding + d.dilation * (d.kernel - 1) + outputPadding[i]! + 1);
        fc.pre(expectedSize.every((length) => length > 0));
        const x = randn([batch, groups * groupChannels, ...size], { dtype: 'float64', requiresGrad: true });
        const w = randn([groups * groupChannels, groupOutChannels, ...used.map((d) => d.kernel)], { dtype: 'float64', requiresGrad: true });
        const b = randn([groups * groupOutChannels], { dtype: 'float64', requiresGrad: true });
        const output = transposes[rank - 1]!(x, w, b, {
          stride: used.map((d) => d.stride), padding: used.map((d) => d.padding), dilation: used.map((d) => d.dilation), groups, outputPadding,
        });
        expect(output.shape).toEqual([batch, groups * groupOutChannels, ...expectedSize]);
        expectBilinear(output, x, w, b);
      }),
      { numRuns: 80, seed: 8 },
    );
  });
});

describe('kernels on large batches (chunks of several samples, and of one)', () => {
  it('give each sample the result it gets alone', () => {
    const x = randn([9, 3, 5, 5]);
    const w = randn([4, 3, 3, 3]);
    const b = tensor([1, 2, 3, 4]);
    const all = conv2d(x, w, b, { padding: 1 }).toTypedArray();
    const perSample = 4 * 25;
    for (let n = 0; n < 9; n++) {
      const alone = conv2d(x.narrow(0, n, 1), w, b, { padding: 1 }).toTypedArray();
      expect(Array.from(alone)).toEqual(Array.from(all.subarray(n * perSample, (n + 1) * perSample)));
    }
  });
});
