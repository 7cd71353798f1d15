/**
 * The WebAssembly forward (conv-wasm.ts) against the convolution's
 * definition summed in float64, on geometries the PyTorch fixtures' small
 * shapes seldom reach with an output width that fills its 8-wide tiles:
 * every rank, dilation, strides along the leading dimensions, uneven and
 * one-sided padding, output channels that do not fill the 4-channel tile,
 * an odd number of taps, no bias, and batches larger than one chunk of the
 * module's memory. Through `conv2d`, the benchmark workload's shape against
 * the float64 path. And with worker threads, the same bits as on one thread.
 */
import { readFileSync } from 'node:fs';
import '@strata/autograd';
import { getNumThreads, manualSeed, randn, setNumThreads } from '@strata/tensor';
import { backendOf, threadingSupport } from '@strata/tensor/backend';
import { describe, expect, it } from 'vitest';
import { generateConvModule, generatedPath } from '../../../scripts/build-wasm.mjs';
import { conv2d } from '../../index.js';
import type { ConvolutionGeometry } from '../geometry.js';
import { wasmConvolutionForward, wasmConvolutionWorkerTasks, wasmForwardApplies } from './conv-wasm.js';

interface Case {
  name: string;
  batch: number;
  channels: number;
  outChannels: number;
  inputSize: number[];
  kernelSize: number[];
  stride?: number[];
  padding?: number[];
  dilation?: number[];
  bias?: boolean;
}

function geometryOf(testCase: Case): ConvolutionGeometry {
  const rank = testCase.inputSize.length;
  const stride = testCase.stride ?? new Array<number>(rank).fill(1);
  const padding = testCase.padding ?? new Array<number>(rank).fill(0);
  const dilation = testCase.dilation ?? new Array<number>(rank).fill(1);
  const outputSize = testCase.inputSize.map(
    (size, d) => Math.floor((size + 2 * padding[d]! - dilation[d]! * (testCase.kernelSize[d]! - 1) - 1) / stride[d]!) + 1,
  );
  return { inputSize: testCase.inputSize, outputSize, kernelSize: testCase.kernelSize, stride, padding, dilation, groups: 1 };
}

function random(length: number, seed: number): Float32Array {
  const values = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    values[i] = state / 1073741824 - 1;
  }
  return values;
}

/** The convolution by its definition, in float64 (zero padding, symmetric in the stored geometry's sense). */
function naive(x: Float32Array, w: Float32Array, bias: Float32Array | null, batch: number, channels: number, outChannels: number, g: ConvolutionGeometry): Float64Array {
  const three = (sizes: readonly number[], fill: number): number[] => [...new Array<number>(3 - sizes.length).fill(fill), ...sizes];
  const [iD, iH, iW] = three(g.inputSize, 1);
  const [oD, oH, oW] = three(g.outputSize, 1);
  const [kD, kH, kW] = three(g.kernelSize, 1);
  const [sD, sH, sW] = three(g.stride, 1);
  const [pD, pH, pW] = three(g.padding, 0);
  const [dD, dH, dW] = three(g.dilation, 1);
  const result = new Float64Array(batch * outChannels * oD * oH * oW);
  let at = 0;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      for (let d = 0; d < oD; d++) {
        for (let h = 0; h < oH; h++) {
          for (let v = 0; v < oW; v++, at++) {
            let sum = bias === null ? 0 : bias[o]!;
            for (let c = 0; c < channels; c++) {
              for (let a = 0; a < kD; a++) {
                for (let b = 0; b < kH; b++) {
                  for (let e = 0; e < kW; e++) {
                    const id = d * sD - pD + a * dD;
                    const ih = h * sH - pH + b * dH;
                    const iw = v * sW - pW + e * dW;
                    if (id < 0 || id >= iD || ih < 0 || ih >= iH || iw < 0 || iw >= iW) continue;
                    sum += w[(((o * channels + c) * kD + a) * kH + b) * kW + e]! * x[(((n * channels + c) * iD + id) * iH + ih) * iW + iw]!;
                  }
                }
              }
            }
            result[at] = sum;
          }
        }
      }
    }
  }
  return result;
}

const cases: Case[] = [
  { name: '1-D, kernel 5, padding 2 (an odd number of taps)', batch: 3, channels: 7, outChannels: 8, inputSize: [16], kernelSize: [5], padding: [2] },
  { name: '1-D, dilation 3, no padding, 3 output channels, no bias', batch: 2, channels: 2, outChannels: 3, inputSize: [14], kernelSize: [3], dilation: [3], bias: false },
  { name: '2-D 3×3 padding 1 (conv2d_fwd\'s geometry, small)', batch: 2, channels: 5, outChannels: 8, inputSize: [6, 16], kernelSize: [3, 3], padding: [1, 1] },
  { name: '2-D stride 2 along the height, padding only along the width', batch: 2, channels: 3, outChannels: 5, inputSize: [9, 8], kernelSize: [3, 3], stride: [2, 1], padding: [0, 1] },
  { name: '2-D dilation 2, 5×3 kernel, 7 output channels', batch: 1, channels: 4, outChannels: 7, inputSize: [11, 24], kernelSize: [5, 3], dilation: [2, 2], padding: [3, 2] },
  { name: '2-D input wider than the taps reach (unused trailing columns)', batch: 2, channels: 2, outChannels: 4, inputSize: [5, 11], kernelSize: [2, 4], bias: false },
  { name: '2-D, output lines of 11 (a last tile of 3 positions), the CNN\'s second layer', batch: 3, channels: 5, outChannels: 8, inputSize: [13, 13], kernelSize: [3, 3] },
  { name: '2-D, output lines of 26 (2 positions in the last tile), one input channel', batch: 2, channels: 1, outChannels: 6, inputSize: [28, 28], kernelSize: [3, 3] },
  { name: '1-D, output lines of 7 (one tile, not full)', batch: 2, channels: 3, outChannels: 4, inputSize: [9], kernelSize: [3] },
  { name: '3-D 3×3×3 padding 1, stride 2 in depth', batch: 2, channels: 3, outChannels: 4, inputSize: [5, 4, 8], kernelSize: [3, 3, 3], stride: [2, 1, 1], padding: [1, 1, 1] },
  { name: 'a batch of several chunks of the module\'s memory', batch: 5, channels: 128, outChannels: 4, inputSize: [64, 128], kernelSize: [1, 3], padding: [0, 1] },
];

describe('the WebAssembly convolution forward', () => {
  it('is generated from conv.wat: the committed module matches scripts/build-wasm.mjs', async () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(await generateConvModule());
  });

  for (const testCase of cases) {
    it(`${testCase.name}: the definition's sums`, () => {
      const geometry = geometryOf(testCase);
      expect(wasmForwardApplies(geometry, 1, true)).toBe(true);
      const { batch, channels, outChannels } = testCase;
      const volume = (sizes: readonly number[]): number => sizes.reduce((total, size) => total * size, 1);
      const x = random(batch * channels * volume(testCase.inputSize), 1);
      const w = random(outChannels * channels * volume(testCase.kernelSize), 2);
      const bias = testCase.bias === false ? null : random(outChannels, 3);
      const output = new Float32Array(batch * outChannels * volume(geometry.outputSize)).fill(Number.NaN);
      expect(wasmConvolutionForward(x, w, bias, output, batch, channels, outChannels, geometry)).toBe(true);
      const want = naive(x, w, bias, batch, channels, outChannels, geometry);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(output[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('is not taken where it does not apply: float64, groups, a last stride above 1, lines using little of their 8-wide tiles', () => {
    const base = geometryOf(cases[2]!);
    expect(wasmForwardApplies(base, 1, false)).toBe(false);
    expect(wasmForwardApplies({ ...base, groups: 2 }, 2, true)).toBe(false);
    expect(wasmForwardApplies({ ...base, stride: [1, 2] }, 1, true)).toBe(false);
    expect(wasmForwardApplies({ ...base, outputSize: [6, 9] }, 1, true)).toBe(false);
    expect(wasmForwardApplies({ ...base, outputSize: [6, 4] }, 1, true)).toBe(false);
  });

  it('conv2d on conv2d_fwd\'s shape (float32, through this path) matches the float64 path', () => {
    expect(backendOf('convolution')).toBe('wasm');
    manualSeed(5);
    const x = randn([4, 16, 32, 32]);
    const w = randn([32, 16, 3, 3]);
    const b = randn([32]);
    const got = conv2d(x, w, b, { padding: 1 }).toTypedArray();
    const want = conv2d(x.to('float64'), w.to('float64'), b.to('float64'), { padding: 1 }).toTypedArray();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
    expect(worst).toBeLessThan(1e-5);
  });

  it.runIf(threadingSupport().available)('on two threads, the workers take samples and the output is the one-thread output, bit for bit', async () => {
    const geometry = geometryOf(cases[2]!);
    const batch = 16;
    const channels = 16;
    const outChannels = 32;
    const x = random(batch * channels * 6 * 16, 4);
    const w = random(outChannels * channels * 9, 5);
    const bias = random(outChannels, 6);
    const size = batch * outChannels * 6 * 16;
    const previous = getNumThreads();
    try {
      setNumThreads(1);
      const single = new Float32Array(size);
      expect(wasmConvolutionForward(x, w, bias, single, batch, channels, outChannels, geometry)).toBe(true);
      setNumThreads(2);
      const before = wasmConvolutionWorkerTasks();
      const threaded = new Float32Array(size);
      // The worker starts asynchronously: run until it has taken part (it joins within milliseconds).
      for (let attempt = 0; attempt < 500 && wasmConvolutionWorkerTasks() === before; attempt++) {
        expect(wasmConvolutionForward(x, w, bias, threaded, batch, channels, outChannels, geometry)).toBe(true);
        expect(threaded).toEqual(single);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(wasmConvolutionWorkerTasks()).toBeGreaterThan(before);
      threaded.fill(Number.NaN);
      expect(wasmConvolutionForward(x, w, bias, threaded, batch, channels, outChannels, geometry)).toBe(true);
      expect(threaded).toEqual(single);
    } finally {
      setNumThreads(previous);
    }
  });
});
