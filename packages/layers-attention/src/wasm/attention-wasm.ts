/**
 * The WebAssembly SIMD module of attention.wat (the softmax and the head
 * moves of attention; assembled into
 * attention-wasm.generated.ts by scripts/build-wasm.mjs) and its memory.
 *
 * The module only sees its own linear memory, so a kernel streams its
 * operands through it a chunk of rows at a time: copy in (one `set`), one
 * export working in place, copy out. The chunks stay in L2 between the
 * copies and the loops, so main memory sees each operand once. The memory
 * is grown, never shrunk, so a steady training step allocates no wasm memory.
 *
 * Compilation is synchronous (the module is about a kilobyte) and happens
 * on first use; a runtime without WebAssembly SIMD (or a CSP that forbids
 * it) gets `undefined`, and the kernels keep their TypeScript versions.
 */
import { WasmKernelModule } from '@strata/tensor/backend';
import { ATTENTION_WASM_BASE64 } from './attention-wasm.generated.js';

/** What attention.wat exports (pointers are byte offsets into `memory`). */
export interface AttentionExports {
  readonly memory: WebAssembly.Memory;
  softmaxRows(x: number, rows: number, width: number, scale: number): void;
  softmaxBackwardRows(g: number, y: number, rows: number, width: number, scale: number): void;
  moveRuns(
    src: number, dst: number, outer: number, srcOuter: number, dstOuter: number,
    inner: number, srcInner: number, dstInner: number, width: number, step: number,
  ): void;
}

/** The name the wasm kernels register under, with `@strata/tensor`'s WebAssembly product. */
export const WASM_BACKEND = 'wasm';

/**
 * Float32 values per operand and chunk: 64 KiB, so that two operands, their
 * source and their target fit in L2 together.
 */
export const CHUNK_FLOATS = 16384;

/** Operands start at this byte (16-byte aligned). */
const FIRST_BYTE = 16;

const attention = new WasmKernelModule<AttentionExports>(ATTENTION_WASM_BASE64);

/** The module's exports, compiling it on first call; `undefined` where WebAssembly SIMD is unavailable. */
export function attentionWasm(): AttentionExports | undefined {
  return attention.exports();
}

/**
 * Reserves `operands` consecutive regions of `count` float32 each and
 * returns their byte offsets (16-byte aligned), growing the memory as
 * needed; `null` when that is too big (the caller declines).
 */
export function reserveRegions(operands: number, count: number): number[] | null {
  const regionBytes = Math.ceil((count * 4) / 16) * 16;
  if (!attention.reserve(FIRST_BYTE + operands * regionBytes)) return null;
  return Array.from({ length: operands }, (_, index) => FIRST_BYTE + index * regionBytes);
}

/** The memory as float32, valid after the last {@link reserveRegions} (index = byte offset / 4). */
export function wasmFloats(): Float32Array {
  return attention.floats();
}
