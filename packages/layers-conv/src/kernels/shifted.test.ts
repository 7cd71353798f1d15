/**
 * The stride-1 float32 convolutions that run on the shifted column matrix
 * (forward, weight gradient, and the input gradient as the flipped
 * convolution) against the same convolutions in float64, which take the
 * other paths: every rank, padding, dilation, groups, and batches split
 * into chunks with a shorter last one.
 */
import '@strata/autograd';
import { type Tensor, randn } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d } from '../index.js';

const convs = [conv1d, conv2d, conv3d];
const transposes = [convTranspose1d, convTranspose2d, convTranspose3d];

/** The largest difference between two tensors, relative to the largest magnitude of the second. */
function relativeDifference(actual: Tensor, expected: Tensor): number {
  const a = actual.toTypedArray();
  const e = expected.toTypedArray();
  let scale = 1e-6;
  let difference = 0;
  for (let i = 0; i < e.length; i++) {
    scale = Math.max(scale, Math.abs(e[i]!));
    difference = Math.max(difference, Math.abs(a[i]! - e[i]!));
  }
  return difference / scale;
}

interface Case {
  x: number[];
  w: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  transposed: boolean;
}

/** Runs the case in float32 and float64 (same values) and compares output and every gradient. */
function expectSameAsFloat64({ x: xShape, w: wShape, padding, dilation, groups, transposed }: Case): void {
  const rank = xShape.length - 2;
  const x64 = randn(xShape, { dtype: 'float64' }).to('float32').to('float64');
  const w64 = randn(wShape, { dtype: 'float64' }).to('float32').to('float64');
  const b64 = randn([transposed ? wShape[1]! * groups : wShape[0]!], { dtype: 'float64' }).to('float32').to('float64');
  const results = (['float32', 'float64'] as const).map((dtype) => {
    const x = x64.to(dtype).requiresGrad_(true);
    const w = w64.to(dtype).requiresGrad_(true);
    const b = b64.to(dtype).requiresGrad_(true);
    const options = { padding, dilation, groups };
    const y = transposed ? transposes[rank - 1]!(x, w, b, options) : convs[rank - 1]!(x, w, b, options);
    const upstream = y.detach().to('float32').mul(0.5).sin();
    y.backward(upstream.to(dtype));
    return [y.detach(), x.grad!, w.grad!, b.grad!];
  });
  for (let i = 0; i < 4; i++) expect(relativeDifference(results[0]![i]!, results[1]![i]!)).toBeLessThan(2e-5);
}

describe('the shifted column matrix (stride 1, float32)', () => {
  it('gives the float64 results of every path over random geometries', () => {
    const dimension = fc.record({
      kernel: fc.integer({ min: 1, max: 3 }),
      dilation: fc.integer({ min: 1, max: 2 }),
      padding: fc.integer({ min: 0, max: 2 }),
      extra: fc.integer({ min: 0, max: 9 }),
    });
    const geometry = fc.record({
      rank: fc.integer({ min: 1, max: 3 }),
      batch: fc.integer({ min: 1, max: 3 }),
      groups: fc.integer({ min: 1, max: 2 }),
      groupChannels: fc.integer({ min: 2, max: 6 }),
      groupOutChannels: fc.integer({ min: 4, max: 9 }),
      dims: fc.array(dimension, { minLength: 3, maxLength: 3 }),
      transposed: fc.boolean(),
    });
    fc.assert(
      fc.property(geometry, ({ rank, batch, groups, groupChannels, groupOutChannels, dims, transposed }) => {
        const used = dims.slice(0, rank);
        const base = used.map((d) => Math.max(d.dilation * (d.kernel - 1) + 1 - 2 * d.padding, 1) + d.extra + (rank === 1 ? 20 : 2));
        // Transposed, the output loses 2·padding − dilation·(kernel − 1): a larger input keeps it positive.
        const size = base.map((length, d) => (transposed ? length + 2 * used[d]!.padding : length));
        const kernel = used.map((d) => d.kernel);
        const w = transposed ? [groups * groupChannels, groupOutChannels, ...kernel] : [groups * groupOutChannels, groupChannels, ...kernel];
        expectSameAsFloat64({
          x: [batch, groups * groupChannels, ...size], w, padding: used.map((d) => d.padding),
          dilation: used.map((d) => d.dilation), groups, transposed,
        });
      }),
      { numRuns: 60, seed: 13 },
    );
  });

  it('splits a batch into chunks with a shorter last one', () => {
    // 18×18 with padding 1: 358 wide positions a sample, so chunks of 3 samples, then 2.
    expectSameAsFloat64({ x: [5, 4, 18, 18], w: [8, 4, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [5, 8, 16, 16], w: [8, 4, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: true });
  });

  it('splits a large sample into blocks of wide positions', () => {
    // 576 column rows of 2022 wide positions: five blocks of 405 (the last 402).
    expectSameAsFloat64({ x: [2, 64, 44, 44], w: [8, 64, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: false });
    // 216 rows of 5762: five blocks, in three dimensions, the input gradient flipped likewise.
    expectSameAsFloat64({ x: [1, 8, 12, 20, 20], w: [8, 8, 3, 3, 3], padding: [1, 1, 1], dilation: [1, 1, 1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [1, 8, 12, 20, 20], w: [8, 8, 3, 3, 3], padding: [1, 1, 1], dilation: [1, 1, 1], groups: 1, transposed: true });
  });

  it('leaves to the in-place column products a layer with fewer column rows than output channels', () => {
    // 9 column rows against 16 output channels a group, 324 output positions a sample: im2col, then products
    // that write the output planes (bias filled beforehand) and read the output gradient where they lie.
    expectSameAsFloat64({ x: [3, 1, 20, 20], w: [16, 1, 3, 3], padding: [0, 0], dilation: [1, 1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [2, 2, 19, 19], w: [32, 1, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 2, transposed: false });
  });

  it('gathers a 3×3 input gradient on small planes, where col2im stays', () => {
    // Flipped, these would compute 1.3–2.4 times the positions: the column products and col2im3x3 run instead.
    expectSameAsFloat64({ x: [3, 4, 7, 7], w: [8, 4, 3, 3], padding: [0, 0], dilation: [1, 1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [2, 4, 4, 4], w: [8, 4, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [2, 8, 5, 5], w: [8, 4, 3, 3], padding: [2, 2], dilation: [1, 1], groups: 2, transposed: false });
    expectSameAsFloat64({ x: [2, 4, 1, 6], w: [8, 4, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: false });
    // The transposed convolution's forward, with its bias, on the same path.
    expectSameAsFloat64({ x: [2, 8, 5, 5], w: [8, 4, 3, 3], padding: [0, 0], dilation: [1, 1], groups: 1, transposed: true });
  });

  it('keeps the rows unpadded when the convolution keeps the width (1-D and 2-D)', () => {
    // 3×3 padding 1, dilation 2 with padding 2, 5 wide with padding 2 on planes only 2 wide (every tap but the centre
    // reads outside the row), padding rows only, and groups: the products write the output and read its gradient in place.
    expectSameAsFloat64({ x: [2, 3, 16, 20], w: [8, 3, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [2, 3, 18, 18], w: [8, 3, 3, 3], padding: [2, 2], dilation: [2, 2], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [2, 2, 140, 2], w: [8, 2, 3, 5], padding: [1, 2], dilation: [1, 1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [2, 4, 20, 16], w: [8, 2, 3, 3], padding: [0, 1], dilation: [1, 1], groups: 2, transposed: false });
    expectSameAsFloat64({ x: [2, 8, 16, 16], w: [8, 4, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: true });
    expectSameAsFloat64({ x: [2, 8, 16, 16], w: [8, 2, 3, 3], padding: [1, 1], dilation: [1, 1], groups: 2, transposed: true });
    // One dimension: a plane of one row.
    expectSameAsFloat64({ x: [2, 3, 300], w: [8, 3, 5], padding: [2], dilation: [1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [2, 4, 260], w: [8, 2, 3], padding: [2], dilation: [2], groups: 2, transposed: false });
    expectSameAsFloat64({ x: [2, 8, 260], w: [8, 4, 3], padding: [1], dilation: [1], groups: 1, transposed: true });
  });

  it('stores rows without the padding that does not lengthen them, in chunks and blocks', () => {
    // "Same" padding in three dimensions (output rows merge per slice; bias filled before the product), in chunks
    // of several samples; then rows longer than the output's (dilation 2, padding 1), and a 1-D kernel of 2.
    expectSameAsFloat64({ x: [3, 4, 6, 10, 10], w: [8, 4, 3, 3, 3], padding: [1, 1, 1], dilation: [1, 1, 1], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [3, 8, 6, 10, 10], w: [8, 4, 3, 3, 3], padding: [1, 1, 1], dilation: [1, 1, 1], groups: 1, transposed: true });
    expectSameAsFloat64({ x: [2, 3, 9, 11], w: [8, 3, 3, 3], padding: [1, 1], dilation: [2, 2], groups: 1, transposed: false });
    expectSameAsFloat64({ x: [3, 4, 30], w: [8, 4, 2], padding: [1], dilation: [2], groups: 1, transposed: false });
  });
});
