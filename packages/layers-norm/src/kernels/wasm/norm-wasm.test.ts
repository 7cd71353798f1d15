import { readFileSync } from 'node:fs';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import { kernelOf } from '@strata/tensor/backend';
import { describe, expect, it } from 'vitest';
import { generateNormModule, generatedPath } from '../../../scripts/build-wasm.mjs';
import '../../index.js';
import type { GradientMask, NormForwardResult, NormGradients } from '../support.js';
import { batchNormBackwardWasmKernel, batchNormWasmKernel } from './batch-norm-wasm.js';
import { layerNormBackwardWasmKernel, layerNormWasmKernel } from './layer-norm-wasm.js';
import { normWasm } from './norm-wasm.js';

// The wasm kernels against the TypeScript ones (the reference) on sizes the
// conformance suite's small draws do not reach: SIMD bodies with scalar
// tails, many planes and rows (several chunks of rows or samples streamed
// through wasm memory, rows longer than a chunk, batch norm's planes a
// channel at a time), and means large next to the spread.

const cpuLayerNorm = kernelOf('layerNorm', 'cpu')!;
const cpuLayerNormBackward = kernelOf('layerNormBackward', 'cpu')!;
const cpuBatchNorm = kernelOf('batchNorm', 'cpu')!;
const cpuBatchNormBackward = kernelOf('batchNormBackward', 'cpu')!;

/** Largest |got − want| / (1 + |want|) over two tensors of one shape. */
function worst(got: Tensor | null, want: Tensor | null): number {
  expect(got === null).toBe(want === null);
  if (got === null || want === null) return 0;
  expect(got.shape).toEqual(want.shape);
  const a = got.toTypedArray();
  const b = want.toTypedArray();
  let result = 0;
  for (let i = 0; i < a.length; i++) result = Math.max(result, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return result;
}

function expectForward(got: NormForwardResult, want: NormForwardResult): void {
  expect(worst(got.output, want.output)).toBeLessThan(2e-5);
  expect(worst(got.mean, want.mean)).toBeLessThan(1e-12);
  expect(worst(got.invstd, want.invstd)).toBeLessThan(1e-10);
}

function expectGradients(got: NormGradients, want: NormGradients): void {
  expect(worst(got.gradInput, want.gradInput)).toBeLessThan(2e-5);
  expect(worst(got.gradWeight, want.gradWeight)).toBeLessThan(2e-5);
  expect(worst(got.gradBias, want.gradBias)).toBeLessThan(2e-5);
}

/** Values around `center` with a spread of `scale`, float32. */
function values(shape: number[], center = 0, scale = 1): Tensor {
  return randn(shape, { dtype: 'float64' }).mul(scale).add(center).to('float32');
}

const MASKS: GradientMask[] = [[true, true, true], [true, false, false], [false, true, true]];

describe('the WebAssembly SIMD normalization kernels', () => {
  it('is generated from norm.wat: the committed module matches scripts/build-wasm.mjs', async () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(await generateNormModule());
  });

  it('compiles here (Node has WebAssembly SIMD)', () => {
    expect(normWasm()).toBeDefined();
  });

  for (const [rows, length, center, scale] of [[37, 256, 0, 1], [150, 256, 0, 1], [3, 20001, 0, 1], [5, 13, 0, 1], [9, 3, 0, 1], [6, 64, 1000, 0.01]] as const) {
    it(`layer norm over rows of ${length}, values around ${center} (spread ${scale}), matches the TypeScript kernels`, () => {
      manualSeed(rows * length);
      const input = values([rows, length], center, scale);
      const weight = values([length], 1, 0.3);
      const bias = values([length]);
      expectForward(layerNormWasmKernel(input, weight, bias, length, 1e-5), cpuLayerNorm(input, weight, bias, length, 1e-5));
      expectForward(layerNormWasmKernel(input, null, null, length, 1e-5), cpuLayerNorm(input, null, null, length, 1e-5));
      const { mean, invstd } = cpuLayerNorm(input, weight, bias, length, 1e-5);
      const gradOutput = values([rows, length]);
      for (const mask of MASKS) {
        for (const w of [weight, null]) {
          expectGradients(
            layerNormBackwardWasmKernel(input, gradOutput, mean, invstd, w, length, mask),
            cpuLayerNormBackward(input, gradOutput, mean, invstd, w, length, mask),
          );
        }
      }
    });
  }

  for (const [shape, center, scale] of [[[8, 5, 16, 16], 0, 1], [[40, 3, 20, 20], 0, 1], [[3, 2, 100, 100], 0, 1], [[3, 4, 7], 0, 1], [[2, 3, 5, 5], 0, 1], [[4, 2, 9], 1000, 0.01], [[30, 2, 300], 1000, 0.01], [[300, 4, 20], 0, 1], [[500, 2, 30], 1000, 0.01]] as const) {
    it(`batch norm on [${shape.join(', ')}], values around ${center} (spread ${scale}), matches the TypeScript kernels`, () => {
      manualSeed(shape.length * 31 + shape[0]);
      const channels = shape[1];
      const input = values([...shape], center, scale);
      const weight = values([channels], 1, 0.3);
      const bias = values([channels]);
      const runningMean = values([channels]);
      const runningVar = values([channels]).abs().add(0.5);
      for (const training of [true, false]) {
        const want = cpuBatchNorm(input, weight, bias, runningMean, runningVar, training, 1e-5);
        expectForward(batchNormWasmKernel(input, weight, bias, runningMean, runningVar, training, 1e-5), want);
        const gradOutput = values([...shape]);
        for (const mask of MASKS) {
          for (const w of [weight, null]) {
            expectGradients(
              batchNormBackwardWasmKernel(input, gradOutput, want.mean, want.invstd, w, training, mask),
              cpuBatchNormBackward(input, gradOutput, want.mean, want.invstd, w, training, mask),
            );
          }
        }
      }
    });
  }

  it('hands float64 and short planes to the kernel below it, unchanged', () => {
    manualSeed(3);
    const input = randn([4, 6], { dtype: 'float64' });
    const weight = randn([6], { dtype: 'float64' });
    expect(layerNormWasmKernel(input, weight, null, 6, 1e-5).output.toTypedArray()).toEqual(
      cpuLayerNorm(input, weight, null, 6, 1e-5).output.toTypedArray(),
    );
    const rows = values([16, 3]);
    expect(batchNormWasmKernel(rows, null, null, null, null, true, 1e-5).output.toTypedArray()).toEqual(
      cpuBatchNorm(rows, null, null, null, null, true, 1e-5).output.toTypedArray(),
    );
  });
});
