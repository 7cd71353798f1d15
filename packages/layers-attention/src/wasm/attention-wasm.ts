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

const PAGE_BYTES = 65536;
/** Operands start at this byte (16-byte aligned). */
const FIRST_BYTE = 16;
/** Stay within signed i32 addresses; bigger calls keep the TypeScript kernels. */
const MAX_BYTES = 2 ** 31 - PAGE_BYTES;

let loaded: AttentionExports | undefined;
let loadFailed = false;
/** A view over the current memory buffer; replaced when the memory grows. */
let floats = new Float32Array(0);

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** The module's exports, compiling it on first call; `undefined` where WebAssembly SIMD is unavailable. */
export function attentionWasm(): AttentionExports | undefined {
  if (loaded !== undefined || loadFailed) return loaded;
  try {
    const compiled = new WebAssembly.Module(decodeBase64(ATTENTION_WASM_BASE64));
    loaded = new WebAssembly.Instance(compiled, {}).exports as unknown as AttentionExports;
  } catch {
    loadFailed = true;
  }
  return loaded;
}

/**
 * Reserves `operands` consecutive regions of `count` float32 each and
 * returns their byte offsets (16-byte aligned), growing the memory as
 * needed; `null` when that is too big (the caller declines).
 */
export function reserveRegions(module: AttentionExports, operands: number, count: number): number[] | null {
  const regionBytes = Math.ceil((count * 4) / 16) * 16;
  const end = FIRST_BYTE + operands * regionBytes;
  if (end > MAX_BYTES) return null;
  const memory = module.memory;
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) {
    try {
      memory.grow(Math.ceil(missing / PAGE_BYTES));
    } catch {
      return null;
    }
  }
  if (floats.buffer !== memory.buffer) floats = new Float32Array(memory.buffer);
  return Array.from({ length: operands }, (_, index) => FIRST_BYTE + index * regionBytes);
}

/** The memory as float32, valid after the last {@link reserveRegions} (index = byte offset / 4). */
export function wasmFloats(): Float32Array {
  return floats;
}
