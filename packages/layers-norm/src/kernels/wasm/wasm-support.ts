/**
 * What the wasm kernels of layer norm and batch norm share: the backend
 * name, the chunk size they stream operands in, and the writes of their
 * operands into wasm memory.
 */
import type { Tensor } from '@strata/tensor';
import { wasmFloats } from './norm-wasm.js';

/** The name these kernels register under, with `@strata/tensor`'s WebAssembly product. */
export const WASM_BACKEND = 'wasm';

/**
 * Writes a float64 center as two float32 at `floats[at]` and `floats[at + stride]`:
 * the nearest float32 and the rest (norm.wat subtracts both, keeping precision
 * when the mean is large next to the spread).
 */
export function writeCenter(floats: Float32Array, at: number, stride: number, center: number): void {
  const high = Math.fround(center);
  floats[at] = high;
  floats[at + stride] = center - high;
}

/** Whether a tensor, when there is one, is float32. */
export const isFloat32 = (tensor: Tensor | null): boolean => tensor === null || tensor.dtype === 'float32';

/** The float32 elements of a tensor in row-major order (its storage when contiguous). */
export const float32Data = (tensor: Tensor): Float32Array => tensor.contiguousData() as Float32Array;

/** Writes a parameter's values (or `length` copies of `fill` when there is none) at byte offset `at`. */
export function writeParameter(parameter: Tensor | null, at: number, length: number, fill: number): void {
  const floats = wasmFloats();
  if (parameter === null) floats.fill(fill, at / 4, at / 4 + length);
  else floats.set(float32Data(parameter), at / 4);
}

/**
 * Float32 values per operand and chunk. The kernels stream their operands
 * through wasm memory a chunk at a time (copy in, run, copy out), so the
 * copies and the loops work on data in L2 and main memory sees each operand
 * once, as PyTorch's kernels do; copying whole tensors in and out would
 * triple the traffic of these memory-bound loops.
 */
export const CHUNK_FLOATS = 16384;

