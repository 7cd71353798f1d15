/**
 * The `wasm` backend's `sgdUpdate` for the common case of a training loop:
 * float32 parameter, gradient and momentum buffer, contiguous, momentum on,
 * past the first step, no weight decay, no Nesterov. It runs sgd.wat
 * (assembled into sgd-wasm.generated.ts by scripts/build-wasm.mjs), whose
 * SIMD loop computes in float64 exactly as the TypeScript loop does, so the
 * results are bit for bit the same. Every other call (and a runtime without
 * WebAssembly SIMD) goes to the kernel registered below it.
 *
 * The module sees only its own memory, so the operands are streamed through
 * it a chunk at a time (copy in, update, copy out): memcpy-speed passes over
 * data in L2, against a TypeScript loop that runs at 2–3 ns an element on
 * float32 typed arrays where the SIMD loop runs at well under one.
 */
import type { Tensor } from '@strata/tensor';
import { WasmKernelModule, kernelBelow } from '@strata/tensor/backend';
import type { SgdUpdateScalars } from '../update-kernels.js';
import { SGD_WASM_BASE64 } from './sgd-wasm.generated.js';

/** The backend these kernels register under, with `@strata/tensor`'s WebAssembly product. */
export const WASM_BACKEND = 'wasm';

/** What sgd.wat exports (pointers are byte offsets into `memory`). */
interface SgdExports {
  readonly memory: WebAssembly.Memory;
  momentumStep(p: number, g: number, b: number, count: number, lr: number, momentum: number, scale: number): void;
}

/** Float32 values per operand and chunk: three operands of 64 KB stay in L2 between the copies and the loop. */
const CHUNK = 16384;
const sgd = new WasmKernelModule<SgdExports>(SGD_WASM_BASE64);

/** The module's exports with room for three chunks, compiled on first call; `undefined` where WebAssembly SIMD is unavailable. */
export function sgdWasm(): SgdExports | undefined {
  return sgd.reserve(3 * CHUNK * 4) ? sgd.exports() : undefined;
}

/** The float32 elements of a contiguous tensor, in place (no copy). */
function contiguousFloats(tensor: Tensor): Float32Array {
  const data = tensor.storage.data as Float32Array;
  return tensor.offset === 0 && data.length === tensor.numel() ? data : data.subarray(tensor.offset, tensor.offset + tensor.numel());
}

/** Whether the call is the case sgd.wat covers. */
function covered(param: Tensor, grad: Tensor, buffer: Tensor | null, s: SgdUpdateScalars): buffer is Tensor {
  return buffer !== null && !s.initialize && !s.nesterov && s.weightDecay === 0
    && param.dtype === 'float32' && grad.dtype === 'float32' && buffer.dtype === 'float32'
    && param.isContiguous() && grad.isContiguous() && buffer.isContiguous();
}

/** `sgdUpdate` on sgd.wat: see the TypeScript `sgdUpdateKernel`. */
export function sgdUpdateWasmKernel(param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, s: SgdUpdateScalars): void {
  const module = sgdWasm();
  if (module === undefined || !covered(param, grad, momentumBuffer, s)) {
    kernelBelow('sgdUpdate', WASM_BACKEND)(param, grad, momentumBuffer, s);
    return;
  }
  const count = param.numel();
  const p = contiguousFloats(param);
  const g = contiguousFloats(grad);
  const b = contiguousFloats(momentumBuffer);
  // The TypeScript kernel's scale of the gradient: (1 − dampening), negated to maximize.
  const scale = (1 - s.dampening) * (s.maximize ? -1 : 1);
  const floats = sgd.floats();
  for (let start = 0; start < count; start += CHUNK) {
    const end = Math.min(start + CHUNK, count);
    floats.set(p.subarray(start, end), 0);
    floats.set(g.subarray(start, end), CHUNK);
    floats.set(b.subarray(start, end), 2 * CHUNK);
    module.momentumStep(0, CHUNK * 4, 2 * CHUNK * 4, end - start, s.lr, s.momentum, scale);
    p.set(floats.subarray(0, end - start), start);
    b.set(floats.subarray(2 * CHUNK, 2 * CHUNK + end - start), start);
  }
  param.storage.version++;
  momentumBuffer.storage.version++;
}
