/**
 * The `wasm` backend's layer-norm kernels: the contract of
 * kernel-signatures.ts, run on norm.wat for float32, each operand streamed
 * through wasm memory a chunk of rows at a time. Calls they decline
 * (another dtype, an empty tensor, memory that cannot grow) go to the
 * kernel registered below them.
 *
 * Numerics: every sum is accumulated in float64 as in the TypeScript
 * kernels (the weight and bias gradients through float32 partial sums of
 * 16 rows); the elementwise maps run in float32, as PyTorch's do.
 */
import { Tensor } from '@strata/tensor';
import { allocateForOverwrite, kernelBelow } from '@strata/tensor/backend';
import { type GradientMask, type NormForwardResult, type NormGradients, float64Values, tensorOf } from '../support.js';
import { WasmLayout, normWasm, wasmDoubles, wasmFloats } from './norm-wasm.js';
import { CHUNK_FLOATS, WASM_BACKEND, float32Data, isFloat32, writeParameter } from './wasm-support.js';

/** Rows of `length` per chunk: as many as fit in {@link CHUNK_FLOATS}, at least one. */
const rowsPerChunk = (length: number): number => Math.max(1, Math.floor(CHUNK_FLOATS / length));

/** `layerNorm` on norm.wat: see the TypeScript `layerNormKernel`. */
export function layerNormWasmKernel(input: Tensor, weight: Tensor | null, bias: Tensor | null, length: number, eps: number): NormForwardResult {
  const module = normWasm();
  const count = input.numel();
  if (module === undefined || input.dtype !== 'float32' || !isFloat32(weight) || !isFloat32(bias) || length === 0 || count === 0) {
    return kernelBelow('layerNorm', WASM_BACKEND)(input, weight, bias, length, eps);
  }
  const rows = count / length;
  const chunkRows = rowsPerChunk(length);
  const layout = new WasmLayout();
  const x = layout.floats(chunkRows * length);
  const w = layout.floats(length);
  const b = layout.floats(length);
  const mean = layout.doubles(rows);
  const invstd = layout.doubles(rows);
  if (!layout.reserve()) return kernelBelow('layerNorm', WASM_BACKEND)(input, weight, bias, length, eps);
  const floats = wasmFloats();
  writeParameter(weight, w, length, 1);
  writeParameter(bias, b, length, 0);
  const data = float32Data(input);
  const output = allocateForOverwrite('float32', count);
  for (let row = 0; row < rows; row += chunkRows) {
    const start = row * length;
    const size = Math.min(chunkRows, rows - row) * length;
    floats.set(data.subarray(start, start + size), x / 4);
    module.layerNormForward(x, x, size / length, length, w, b, eps, mean + 8 * row, invstd + 8 * row);
    output.set(floats.subarray(x / 4, x / 4 + size), start);
  }
  const doubles = wasmDoubles();
  return {
    output: Tensor.fromData(output, input.shape),
    mean: Tensor.fromData(doubles.slice(mean / 8, mean / 8 + rows), [rows]),
    invstd: Tensor.fromData(doubles.slice(invstd / 8, invstd / 8 + rows), [rows]),
  };
}

/** `layerNormBackward` on norm.wat: see the TypeScript `layerNormBackwardKernel`. */
export function layerNormBackwardWasmKernel(
  input: Tensor,
  gradOutput: Tensor,
  mean: Tensor,
  invstd: Tensor,
  weight: Tensor | null,
  length: number,
  mask: GradientMask,
): NormGradients {
  const module = normWasm();
  const count = input.numel();
  if (module === undefined || input.dtype !== 'float32' || gradOutput.dtype !== 'float32' || !isFloat32(weight) || length === 0 || count === 0) {
    return kernelBelow('layerNormBackward', WASM_BACKEND)(input, gradOutput, mean, invstd, weight, length, mask);
  }
  const rows = count / length;
  const chunkRows = rowsPerChunk(length);
  const layout = new WasmLayout();
  const x = layout.floats(chunkRows * length);
  const g = layout.floats(chunkRows * length);
  const w = layout.floats(length);
  const rowMean = layout.doubles(rows);
  const rowInvstd = layout.doubles(rows);
  const weightSums = layout.doubles(length);
  const biasSums = layout.doubles(length);
  const partialSums = layout.floats(2 * length);
  if (!layout.reserve()) {
    return kernelBelow('layerNormBackward', WASM_BACKEND)(input, gradOutput, mean, invstd, weight, length, mask);
  }
  const floats = wasmFloats();
  const doubles = wasmDoubles();
  writeParameter(weight, w, length, 1);
  doubles.set(float64Values(mean), rowMean / 8);
  doubles.set(float64Values(invstd), rowInvstd / 8);
  doubles.fill(0, weightSums / 8, biasSums / 8 + length);
  floats.fill(0, partialSums / 4, partialSums / 4 + 2 * length);
  const inputData = float32Data(input);
  const gradientData = float32Data(gradOutput);
  const gradInput = mask[0] ? allocateForOverwrite('float32', count) : null;
  for (let row = 0; row < rows; row += chunkRows) {
    const start = row * length;
    const size = Math.min(chunkRows, rows - row) * length;
    floats.set(inputData.subarray(start, start + size), x / 4);
    floats.set(gradientData.subarray(start, start + size), g / 4);
    module.layerNormBackward(
      x, g, g, size / length, length, w, rowMean + 8 * row, rowInvstd + 8 * row,
      weightSums, biasSums, partialSums, partialSums + 4 * length, gradInput === null ? 0 : 1,
    );
    gradInput?.set(floats.subarray(g / 4, g / 4 + size), start);
  }
  return {
    gradInput: gradInput === null ? null : Tensor.fromData(gradInput, input.shape),
    gradWeight: mask[1] && weight !== null ? tensorOf(doubles.slice(weightSums / 8, weightSums / 8 + length), [length], 'float32') : null,
    gradBias: mask[2] ? tensorOf(doubles.slice(biasSums / 8, biasSums / 8 + length), [length], 'float32') : null,
  };
}

