/**
 * The `wasm` backend's head moves (heads.ts), run on attention.wat's
 * `moveRuns` for float32 one sample at a time: the sample's block copied
 * into wasm memory, its runs of `d` floats moved to their places in SIMD,
 * the result copied out. Calls they decline (another dtype, an empty
 * tensor, a part whose sample is spread over much more memory than it
 * holds, memory that cannot grow) go to the kernel registered below them.
 */
import { Tensor } from '@strata/tensor';
import { allocateForOverwrite, kernelBelow } from '@strata/tensor/backend';
import { WASM_BACKEND, attentionWasm, reserveRegions, wasmFloats } from './attention-wasm.js';

/** `splitHeads` on attention.wat: see the TypeScript `splitHeadsKernel`. */
export function splitHeadsWasmKernel(x: Tensor, parts: number, heads: number): Tensor[] {
  const module = attentionWasm();
  const [batch, length, width] = x.shape as [number, number, number];
  const sample = length * width;
  const regions = module === undefined || x.dtype !== 'float32' || sample === 0 || batch === 0 ? null : reserveRegions(2, sample);
  if (regions === null) return kernelBelow('splitHeads', WASM_BACKEND)(x, parts, heads);
  const [source, target] = regions as [number, number];
  const embed = width / parts;
  const headDim = embed / heads;
  const partSize = length * embed;
  const data = x.contiguousData() as Float32Array;
  const outputs = Array.from({ length: parts }, () => allocateForOverwrite('float32', batch * partSize));
  const floats = wasmFloats();
  for (let n = 0; n < batch; n++) {
    floats.set(data.subarray(n * sample, (n + 1) * sample), source / 4);
    // Run (part·H + h, l) starts at column (part·H + h)·d of row l and goes to [part, h, l].
    module!.moveRuns(source, target, parts * heads, headDim, length * headDim, length, width, headDim, headDim, 1);
    outputs.forEach((output, part) => output.set(floats.subarray(target / 4 + part * partSize, target / 4 + (part + 1) * partSize), n * partSize));
  }
  return outputs.map((output) => Tensor.fromData(output, [batch, heads, length, headDim]));
}

/** The span of one sample of a part (its elements lie in [offset, offset + span) from the sample's start), or null for negative strides. */
function sampleSpan(x: Tensor): number | null {
  const strides = x.strides.slice(1);
  if (strides.some((stride) => stride < 0)) return null;
  return 1 + x.shape.slice(1).reduce((total, size, d) => total + (size - 1) * strides[d]!, 0);
}

/** `mergeHeads` on attention.wat: see the TypeScript `mergeHeadsKernel`. */
export function mergeHeadsWasmKernel(parts: readonly Tensor[]): Tensor {
  const module = attentionWasm();
  const [batch, heads, length, headDim] = parts[0]!.shape as [number, number, number, number];
  const sample = heads * length * headDim;
  const spans = parts.map(sampleSpan);
  const widest = Math.max(...spans.map((span) => span ?? Number.POSITIVE_INFINITY));
  const regions = module === undefined || parts.some((x) => x.dtype !== 'float32' || x.strides[0]! < 0) || sample === 0 || batch === 0
    // A part read through strides that spread a sample over more than twice its size is not worth copying in whole.
    || widest > 2 * sample
    ? null
    : reserveRegions(2, Math.max(widest, parts.length * sample));
  if (regions === null) return kernelBelow('mergeHeads', WASM_BACKEND)(parts);
  const [source, target] = regions as [number, number];
  const embed = heads * headDim;
  const width = parts.length * embed;
  const output = allocateForOverwrite('float32', batch * length * width);
  const floats = wasmFloats();
  for (let n = 0; n < batch; n++) {
    parts.forEach((x, part) => {
      const [batchStride, headStride, lengthStride, dimStride] = x.strides as [number, number, number, number];
      const start = x.offset + n * batchStride;
      floats.set((x.storage.data as Float32Array).subarray(start, start + spans[part]!), source / 4);
      // Run (l, h), read with the part's strides, goes to row l at column part·E + h·d.
      module!.moveRuns(source, target + 4 * part * embed, length, lengthStride, width, heads, headStride, headDim, headDim, dimStride);
    });
    output.set(floats.subarray(target / 4, target / 4 + length * width), n * length * width);
  }
  return Tensor.fromData(output, [batch, length, width]);
}
