/**
 * The `wasm` backend's scaled masked softmax and its gradient, run on
 * attention.wat for float32 a chunk of rows at a time. Calls they decline
 * (another dtype, empty rows, memory that cannot grow) go to the kernel
 * registered below them.
 *
 * Without masks the scores are copied in as they are and scaled in the
 * module; with masks, `scale · scores + masks` is formed first
 * (masked-scores.ts) and the module's softmax runs with scale 1.
 */
import { Tensor } from '@strata/tensor';
import { allocateForOverwrite, kernelBelow } from '@strata/tensor/backend';
import { ownsItsStorage, scaledMaskedScores } from '../masked-scores.js';
import { CHUNK_FLOATS, WASM_BACKEND, attentionWasm, reserveRegions, wasmFloats } from './attention-wasm.js';

/** Rows of `width` per chunk: as many as fit in {@link CHUNK_FLOATS}, at least one. */
const rowsPerChunk = (width: number): number => Math.max(1, Math.floor(CHUNK_FLOATS / width));

/** The [start, size] (in floats) of each chunk of whole rows of `width` that `count` floats hold. */
function chunks(count: number, width: number): [number, number][] {
  const chunkRows = rowsPerChunk(width);
  const rows = count / width;
  const result: [number, number][] = [];
  for (let row = 0; row < rows; row += chunkRows) result.push([row * width, Math.min(chunkRows, rows - row) * width]);
  return result;
}

/** `scaledMaskedSoftmax` on attention.wat: see the TypeScript `scaledMaskedSoftmaxKernel`. */
export function scaledMaskedSoftmaxWasmKernel(scores: Tensor, scale: number, masks: readonly Tensor[], overwrite = false): Tensor {
  const module = attentionWasm();
  const width = scores.shape[scores.ndim - 1] ?? 0;
  const count = scores.numel();
  const chunkRows = rowsPerChunk(width);
  const regions = module === undefined || scores.dtype !== 'float32' || masks.some((mask) => mask.dtype !== 'float32') || width === 0 || count === 0
    ? null
    : reserveRegions(1, chunkRows * width);
  if (regions === null) return kernelBelow('scaledMaskedSoftmax', WASM_BACKEND)(scores, scale, masks, overwrite);
  const [x] = regions as [number];
  // With masks, the target holds the shifted scores first and the softmax runs over them in place;
  // so does the scores' own storage when the caller lets it be overwritten (a chunk is copied in before it is written).
  const source = (masks.length === 0 ? scores.contiguousData() : scaledMaskedScores(scores, scale, masks, overwrite)) as Float32Array;
  const target = masks.length > 0 || (overwrite && ownsItsStorage(scores)) ? source : allocateForOverwrite('float32', count);
  const rowScale = masks.length === 0 ? scale : 1;
  const floats = wasmFloats();
  for (const [start, size] of chunks(count, width)) {
    floats.set(source.subarray(start, start + size), x / 4);
    module!.softmaxRows(x, size / width, width, rowScale);
    target.set(floats.subarray(x / 4, x / 4 + size), start);
  }
  return Tensor.fromData(target, scores.shape);
}

/** `scaledMaskedSoftmaxBackward` on attention.wat: see the TypeScript `scaledMaskedSoftmaxBackwardKernel`. */
export function scaledMaskedSoftmaxBackwardWasmKernel(gradOutput: Tensor, output: Tensor, scale: number): Tensor {
  const module = attentionWasm();
  const width = output.shape[output.ndim - 1] ?? 0;
  const count = output.numel();
  const chunkRows = rowsPerChunk(width);
  const regions = module === undefined || output.dtype !== 'float32' || gradOutput.dtype !== 'float32' || width === 0 || count === 0
    ? null
    : reserveRegions(2, chunkRows * width);
  if (regions === null) return kernelBelow('scaledMaskedSoftmaxBackward', WASM_BACKEND)(gradOutput, output, scale);
  const [g, y] = regions as [number, number];
  const gradient = gradOutput.contiguousData() as Float32Array;
  const values = output.contiguousData() as Float32Array;
  const result = allocateForOverwrite('float32', count);
  const floats = wasmFloats();
  for (const [start, size] of chunks(count, width)) {
    floats.set(gradient.subarray(start, start + size), g / 4);
    floats.set(values.subarray(start, start + size), y / 4);
    module!.softmaxBackwardRows(g, y, size / width, width, scale);
    result.set(floats.subarray(g / 4, g / 4 + size), start);
  }
  return Tensor.fromData(result, output.shape);
}
