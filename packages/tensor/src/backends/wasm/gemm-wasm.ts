/**
 * Runs float32 matrix products through the WebAssembly SIMD module of
 * gemm.wat (assembled into gemm-wasm.generated.ts by scripts/build-wasm.mjs).
 *
 * The module only sees its own linear memory, so each call copies A and B in
 * and C out; that is O(mk + kn + mn) memcpy-speed work against 2mnk FLOP, and
 * the strided packing itself runs in wasm. The memory is grown, never
 * shrunk, so steady-state calls allocate no buffers.
 *
 * Compilation is synchronous (the module is a few kilobytes) and happens
 * when the backend registers (wasm-backend.ts); any failure there (no
 * WebAssembly, no SIMD, a CSP that forbids wasm) means the backend does not
 * register, and the CPU reference stays active.
 */
import { GEMM_WASM_BASE64 } from './gemm-wasm.generated.js';

/** What gemm.wat exports. */
interface GemmExports {
  memory: WebAssembly.Memory;
  gemm(
    m: number, n: number, k: number,
    a: number, aRowStride: number, aColStride: number,
    b: number, bRowStride: number, bColStride: number,
    c: number, aPack: number, bPack: number,
    mcBlock: number, kcBlock: number, ncBlock: number,
  ): void;
}

/** Micro-tile of the wasm kernel: 4 rows of A by 8 columns of B. */
const MR = 4;
const NR = 8;
/** Depth of a packed block: an 8-wide B micro-panel (8 KiB of f32) stays in L1. */
const KC = 256;
/** Rows of A per packed block: MC×KC floats (128 KiB) stay in L2. */
const MC = 128;
/** Columns of B per packed block: KC×NC floats (2 MiB) stay in L3. */
const NC = 2048;
/** Bytes [0, 128) of the memory are the kernel's edge-tile scratch. */
const TILE_BYTES = 128;
const PAGE_BYTES = 65536;
/**
 * Float32 products with at least this many multiply-adds, and at least
 * `MIN_OUTPUTS` entries of C, go to the WebAssembly kernel. Measured: it wins
 * from about 10×10×10 up, even for one-row products (1×1000×1000: 2.8×);
 * below, or with a C of a few entries (a dot product, 2×2×256), its copies
 * and padded 4×8 tiles cost more than the JS kernel's whole product.
 */
const MIN_MULTIPLY_ADDS = 1024;
const MIN_OUTPUTS = 64;
/** Stay within signed i32 addresses; bigger products keep the JS kernel. */
const MAX_BYTES = 2 ** 31 - PAGE_BYTES;
/** A strided operand whose span exceeds its size this much is gathered densely first. */
const SPAN_SLACK = 4;

let loaded: GemmExports | undefined;
let loadFailed = false;
/** View over the current memory buffer; replaced when the memory grows. */
let heap = new Float32Array(0);

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

function load(): GemmExports | undefined {
  if (loaded !== undefined || loadFailed) return loaded;
  try {
    const compiled = new WebAssembly.Module(decodeBase64(GEMM_WASM_BASE64));
    loaded = new WebAssembly.Instance(compiled, {}).exports as unknown as GemmExports;
  } catch {
    loadFailed = true;
  }
  return loaded;
}

/** Whether this runtime compiles the module (compiling it now if it has not yet). */
export function wasmGemmAvailable(): boolean {
  return load() !== undefined;
}

/**
 * Whether a float32 m×n×k product gains from the WebAssembly kernel: the
 * module compiled and the product is big enough to pay for its copies. The
 * thresholds are this backend's own; planners ask through the
 * `gemmAccelerated` kernel.
 */
export function wasmGemmTakes(m: number, n: number, k: number): boolean {
  return k > 0 && m * n >= MIN_OUTPUTS && m * n * k >= MIN_MULTIPLY_ADDS && wasmGemmAvailable();
}

/** First index and one past the last index that a rows×columns strided view touches. */
function spanStart(offset: number, rows: number, columns: number, rowStride: number, colStride: number): number {
  return offset + Math.min(0, (rows - 1) * rowStride) + Math.min(0, (columns - 1) * colStride);
}
function spanEnd(offset: number, rows: number, columns: number, rowStride: number, colStride: number): number {
  return offset + Math.max(0, (rows - 1) * rowStride) + Math.max(0, (columns - 1) * colStride) + 1;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Makes the memory at least `bytes` long and `heap` current; false if it cannot grow. */
function reserve(memory: WebAssembly.Memory, bytes: number): boolean {
  const current = memory.buffer.byteLength;
  if (current < bytes) {
    if (bytes > MAX_BYTES) return false;
    try {
      // Grow by at least half again, so a slowly growing workload grows rarely.
      const target = Math.min(MAX_BYTES, Math.max(bytes, current + (current >> 1)));
      memory.grow(Math.ceil((target - current) / PAGE_BYTES));
    } catch {
      return false;
    }
  }
  if (heap.buffer !== memory.buffer) heap = new Float32Array(memory.buffer);
  return true;
}

/**
 * Copies one operand (element [i][p] at `source[offset + i*rowStride + p*colStride]`)
 * into the heap at float index `target`, and returns where element [0][0]
 * now lies and the strides to use there. A compact view is copied whole with
 * its strides; a view scattered over a much larger buffer is gathered row-major.
 */
function stage(
  source: Float32Array, offset: number, rows: number, columns: number, rowStride: number, colStride: number,
  target: number, placement: Int32Array,
): void {
  const start = spanStart(offset, rows, columns, rowStride, colStride);
  const end = spanEnd(offset, rows, columns, rowStride, colStride);
  if (end - start <= SPAN_SLACK * rows * columns + 64) {
    heap.set(source.subarray(start, end), target);
    placement[0] = target + offset - start;
    placement[1] = rowStride;
    placement[2] = colStride;
    return;
  }
  let index = target;
  for (let i = 0; i < rows; i++) {
    let element = offset + i * rowStride;
    for (let p = 0; p < columns; p++, index++, element += colStride) heap[index] = source[element]!;
  }
  placement[0] = target;
  placement[1] = columns;
  placement[2] = 1;
}

/** Floats each staged operand needs: its span, or its size when gathered. */
function stagedLength(rows: number, columns: number, rowStride: number, colStride: number): number {
  const span = spanEnd(0, rows, columns, rowStride, colStride) - spanStart(0, rows, columns, rowStride, colStride);
  return span <= SPAN_SLACK * rows * columns + 64 ? span : rows * columns;
}

const aPlacement = new Int32Array(3);
const bPlacement = new Int32Array(3);

/**
 * C[m×n] (+)= A[m×k]·B[k×n] for float32 operands on the WebAssembly kernel,
 * summed in float32, with the arguments of the CPU reference's
 * `gemmStrided`. Returns false, having touched nothing, when the kernel is unavailable, the
 * operands reach outside their arrays, or the product needs more memory than
 * the module can address; the caller then runs the kernel below it.
 */
export function gemmWasm(
  m: number, n: number, k: number,
  a: Float32Array, aOffset: number, aRowStride: number, aColStride: number,
  b: Float32Array, bOffset: number, bRowStride: number, bColStride: number,
  c: Float32Array, cOffset: number,
  accumulate: boolean,
): boolean {
  const wasm = load();
  if (wasm === undefined) return false;
  if (spanStart(aOffset, m, k, aRowStride, aColStride) < 0 || spanEnd(aOffset, m, k, aRowStride, aColStride) > a.length
    || spanStart(bOffset, k, n, bRowStride, bColStride) < 0 || spanEnd(bOffset, k, n, bRowStride, bColStride) > b.length
    || cOffset < 0 || cOffset + m * n > c.length) {
    return false;
  }
  // Float offsets of each region; all 16-byte aligned.
  const aPack = TILE_BYTES / 4;
  const bPack = aPack + roundUp(Math.min(m, MC), MR) * Math.min(k, KC);
  const cStart = bPack + Math.min(k, KC) * roundUp(Math.min(n, NC), NR);
  const aStart = cStart + roundUp(m * n, 4);
  const bStart = aStart + roundUp(stagedLength(m, k, aRowStride, aColStride), 4);
  const end = bStart + stagedLength(k, n, bRowStride, bColStride);
  if (!reserve(wasm.memory, 4 * end)) return false;

  stage(a, aOffset, m, k, aRowStride, aColStride, aStart, aPlacement);
  stage(b, bOffset, k, n, bRowStride, bColStride, bStart, bPlacement);
  if (accumulate) heap.set(c.subarray(cOffset, cOffset + m * n), cStart);
  else heap.fill(0, cStart, cStart + m * n);
  wasm.gemm(
    m, n, k,
    4 * aPlacement[0]!, aPlacement[1]!, aPlacement[2]!,
    4 * bPlacement[0]!, bPlacement[1]!, bPlacement[2]!,
    4 * cStart, 4 * aPack, 4 * bPack,
    MC, KC, NC,
  );
  c.set(heap.subarray(cStart, cStart + m * n), cOffset);
  return true;
}
