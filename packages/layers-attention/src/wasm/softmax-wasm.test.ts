import { readFileSync } from 'node:fs';
import { type Tensor, manualSeed, randn, tensor } from '@strata/tensor';
import { kernelOf } from '@strata/tensor/backend';
import { describe, expect, it } from 'vitest';
import { generateAttentionModule, generatedPath } from '../../scripts/build-wasm.mjs';
import '../index.js';
import { attentionWasm } from './attention-wasm.js';
import { scaledMaskedSoftmaxBackwardWasmKernel, scaledMaskedSoftmaxWasmKernel } from './softmax-wasm.js';

// The wasm softmax kernels against the TypeScript ones (the reference) on
// sizes the conformance suite's small draws do not reach: SIMD bodies with
// scalar tails, many chunks of rows, rows longer than a chunk, large and
// masked scores, rows that are all masked (NaN, as PyTorch gives).

const cpuSoftmax = kernelOf('scaledMaskedSoftmax', 'cpu')!;
const cpuSoftmaxBackward = kernelOf('scaledMaskedSoftmaxBackward', 'cpu')!;

/** Largest |got − want| / (1 + |want|), NaN matching NaN only. */
function worst(got: Tensor, want: Tensor): number {
  expect(got.shape).toEqual(want.shape);
  const a = got.toTypedArray();
  const b = want.toTypedArray();
  let result = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i]!) || Number.isNaN(a[i]!)) expect([a[i], b[i]].map(Number.isNaN)).toEqual([true, true]);
    else result = Math.max(result, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  }
  return result;
}

describe('the WebAssembly SIMD softmax kernels', () => {
  it('are generated from attention.wat: the committed module matches scripts/build-wasm.mjs', async () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(await generateAttentionModule());
  });

  it('compile here (Node has WebAssembly SIMD)', () => {
    expect(attentionWasm()).toBeDefined();
  });

  for (const [shape, spread, scale] of [
    [[4, 8, 128, 128], 3, 0.17], [[3, 37, 131], 1, 1], [[2, 20001], 1, 0.5], [[5, 3], 1, 2], [[40, 1], 1, 1], [[6, 64], 300, 1], [[6, 64], 1, -0.7],
  ] as const) {
    it(`match the TypeScript kernels on [${shape.join(', ')}] (scores of spread ${spread}, scale ${scale})`, () => {
      manualSeed(shape.reduce((a: number, b: number) => a * b, 1));
      const scores = randn([...shape]).mul(spread);
      const want = cpuSoftmax(scores, scale, []);
      expect(worst(scaledMaskedSoftmaxWasmKernel(scores, scale, []), want)).toBeLessThan(1e-6);
      const gradOutput = randn([...shape]);
      expect(worst(scaledMaskedSoftmaxBackwardWasmKernel(gradOutput, want, scale), cpuSoftmaxBackward(gradOutput, want, scale))).toBeLessThan(1e-6);
    });
  }

  it('match them with masks, −∞ entries and rows masked whole (NaN rows)', () => {
    manualSeed(5);
    const scores = randn([2, 3, 4, 9]);
    const causal = tensor(Array.from({ length: 4 }, (_, i) => Array.from({ length: 9 }, (_, j) => (j > i + 4 ? Number.NEGATIVE_INFINITY : 0))));
    const padding = tensor([[0, 0, 0, 0, 0, 0, 0, 0, Number.NEGATIVE_INFINITY], Array.from({ length: 9 }, () => Number.NEGATIVE_INFINITY)]).reshape([2, 1, 1, 9]);
    for (const masks of [[causal], [causal, padding], [padding.mul(0).add(randn([2, 1, 1, 9]))]]) {
      expect(worst(scaledMaskedSoftmaxWasmKernel(scores, 0.5, masks), cpuSoftmax(scores, 0.5, masks))).toBeLessThan(1e-6);
    }
    expect([...scaledMaskedSoftmaxWasmKernel(scores, 0.5, [padding]).toTypedArray()].slice(-9).every(Number.isNaN)).toBe(true);
  });

  it('give NaN rows for a NaN or +∞ score, as the TypeScript kernel (and PyTorch) do', () => {
    manualSeed(6);
    const data = randn([4, 11]).toTypedArray() as Float32Array;
    data[3] = Number.NaN;
    data[11 + 9] = Number.NaN;
    data[22 + 4] = Number.POSITIVE_INFINITY;
    const scores = tensor(Array.from({ length: 4 }, (_, row) => [...data.subarray(row * 11, row * 11 + 11)]));
    const got = scaledMaskedSoftmaxWasmKernel(scores, 0.5, []);
    expect(worst(got, cpuSoftmax(scores, 0.5, []))).toBeLessThan(1e-6);
    expect([...got.toTypedArray()].map(Number.isNaN)).toEqual(Array.from({ length: 44 }, (_, i) => i < 33));
  });

  it('write over scores they may overwrite (and own), the TypeScript kernel too; leave a view of a larger buffer alone', () => {
    manualSeed(8);
    for (const kernel of [scaledMaskedSoftmaxWasmKernel, cpuSoftmax]) {
      for (const masks of [[], [randn([5, 7])]]) {
        const scores = randn([3, 5, 7]);
        const want = cpuSoftmax(scores, 0.4, masks);
        const got = kernel(scores, 0.4, masks, true);
        expect(got.storage.data).toBe(scores.storage.data);
        expect(worst(got, want)).toBeLessThan(1e-6);
        const larger = randn([4, 5, 7]);
        const before = [...larger.toTypedArray()];
        const view = larger.narrow(0, 1, 3);
        expect(worst(kernel(view, 0.4, masks, true), cpuSoftmax(view, 0.4, masks))).toBeLessThan(1e-6);
        expect([...larger.toTypedArray()]).toEqual(before);
      }
    }
  });

  it('hand float64 to the kernel below them, unchanged', () => {
    manualSeed(3);
    const scores = randn([4, 6], { dtype: 'float64' });
    expect(scaledMaskedSoftmaxWasmKernel(scores, 0.3, []).toTypedArray()).toEqual(cpuSoftmax(scores, 0.3, []).toTypedArray());
    const y = cpuSoftmax(scores, 0.3, []);
    expect(scaledMaskedSoftmaxBackwardWasmKernel(scores, y, 0.3).toTypedArray()).toEqual(cpuSoftmaxBackward(scores, y, 0.3).toTypedArray());
  });
});
