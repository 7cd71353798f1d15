/**
 * The linear memory of gemm.wat's module, shared by the products
 * (gemm-wasm.ts) and the attention tasks (attention-wasm.ts): loading the
 * module, growing the memory, and staging strided operands into it.
 *
 * The module works on its own linear memory, so each call copies its
 * operands in and its results out. Where threads are available the memory
 * is a shared `WebAssembly.Memory` that every worker's instance imports;
 * elsewhere the same module, its memory import's flag byte switched to
 * unshared, runs on one thread. The memory is grown, never shrunk, so
 * steady-state calls allocate no buffers.
 *
 * Compilation is synchronous (the module is a few kilobytes) and happens
 * when the backend registers (wasm-backend.ts); any failure there (no
 * WebAssembly, no SIMD, a CSP that forbids wasm) means the backend does not
 * register, and the CPU reference stays active.
 */
import { GEMM_WASM_BASE64, GEMM_WASM_MEMORY_FLAGS_OFFSET } from './gemm-wasm.generated.js';
import { fuseMultiplyAdds, relaxedSimdAvailable } from './gemm-fma.js';
import { type WasmTask, WasmTaskPool } from './task-pool.js';
import { instantiateThreaded } from './threaded-module.js';
import type { GemmBias } from '../../backend.js';

/** The task exports of gemm.wat (with attention-tasks.wat spliced in), by phase: what `pool.run` takes. */
const TASK_NAMES = ['packTask', 'tileTask', 'batchTask', 'attentionForwardTask', 'attentionBackwardTask'] as const;
/** The phases of a product, and the attention tasks of attention-tasks.wat (whole heads per task). */
export const PACK_PHASE = 0;
export const TILE_PHASE = 1;
export const BATCH_PHASE = 2;
export const ATTENTION_FORWARD_PHASE = 3;
export const ATTENTION_BACKWARD_PHASE = 4;

/** What gemm.wat exports. */
type GemmExports = Record<(typeof TASK_NAMES)[number], WasmTask>;

/** The compiled module on its memory. */
export interface Loaded {
  exports: GemmExports;
  memory: WebAssembly.Memory;
  /** The pool, where the memory is shared (started lazily: no workers until a product needs them). */
  pool: WasmTaskPool | undefined;
}

/** The job descriptor's address and size. */
export const JOB = 0;
export const JOB_BYTES = 256;
/** Bytes of a thread's edge-tile scratch, before its packing buffers. */
export const SCRATCH_BYTES = 128;
const PAGE_BYTES = 65536;
/** The memory's maximum (pages), as declared in gemm.wat: 2 GiB less a page, all of it i32-addressable. */
const MAX_PAGES = 32767;
const MAX_BYTES = MAX_PAGES * PAGE_BYTES;
/** A strided operand whose span exceeds its size this much is gathered densely first. */
const SPAN_SLACK = 4;

let loaded: Loaded | undefined;
let loadFailed = false;
/** Views over the current memory buffer; replaced when the memory grows. */
export let heap = new Float32Array(0);
export let heapWords = new Int32Array(0);

/** The module and its memory, compiled on first call; undefined where this runtime cannot compile it. */
export function load(): Loaded | undefined {
  if (loaded !== undefined || loadFailed) return loaded;
  const instance = instantiateThreaded(GEMM_WASM_BASE64, GEMM_WASM_MEMORY_FLAGS_OFFSET, MAX_PAGES, (bytes) => {
    if (relaxedSimdAvailable()) fuseMultiplyAdds(bytes);
  });
  if (instance === undefined) {
    loadFailed = true;
    return undefined;
  }
  const { module, memory, exports, shared } = instance;
  const pool = shared ? new WasmTaskPool(module, memory, exports, TASK_NAMES, 'strata-gemm') : undefined;
  loaded = { exports: exports as unknown as GemmExports, memory, pool };
  return loaded;
}

/** First index and one past the last index that a rows×columns strided view touches. */
function spanStart(offset: number, rows: number, columns: number, rowStride: number, colStride: number): number {
  return offset + Math.min(0, (rows - 1) * rowStride) + Math.min(0, (columns - 1) * colStride);
}
function spanEnd(offset: number, rows: number, columns: number, rowStride: number, colStride: number): number {
  return offset + Math.max(0, (rows - 1) * rowStride) + Math.max(0, (columns - 1) * colStride) + 1;
}

export function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Makes the memory at least `bytes` long and the views current; false if it cannot grow. */
export function reserve(memory: WebAssembly.Memory, bytes: number): boolean {
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
  if (heap.buffer !== memory.buffer || heap.length * 4 < memory.buffer.byteLength) {
    heap = new Float32Array(memory.buffer);
    heapWords = new Int32Array(memory.buffer);
  }
  return true;
}

/** How one operand of every product is placed in the heap. */
export interface Staging {
  /** Copy the whole span [start, end) of the source, or gather each product densely. */
  whole: boolean;
  /** The span of the source the products read: [start, end). */
  start: number;
  end: number;
  /** Floats it takes in the heap. */
  length: number;
  rowStride: number;
  colStride: number;
}

/** Decides how to stage `offsets.length` rows×columns views of one array. */
export function planStaging(offsets: readonly number[], rows: number, columns: number, rowStride: number, colStride: number): Staging {
  let start = Infinity;
  let end = -Infinity;
  for (const offset of offsets) {
    start = Math.min(start, spanStart(offset, rows, columns, rowStride, colStride));
    end = Math.max(end, spanEnd(offset, rows, columns, rowStride, colStride));
  }
  const dense = offsets.length * rows * columns;
  if (end - start <= SPAN_SLACK * dense + 64) return { whole: true, start, end, length: end - start, rowStride, colStride };
  return { whole: false, start, end, length: dense, rowStride: columns, colStride: 1 };
}

/**
 * Copies one operand into the heap at float index `target`, writing each
 * product's byte address into word `field` of its table entry (entries of
 * `entryWords` words from word index `table`).
 */
export function stage(
  source: Float32Array, offsets: readonly number[], rows: number, columns: number, rowStride: number, colStride: number,
  staging: Staging, target: number, table: number, field: number, entryWords = 4,
): void {
  if (staging.whole) {
    heap.set(source.subarray(staging.start, staging.start + staging.length), target);
    for (let batch = 0; batch < offsets.length; batch++) {
      heapWords[table + entryWords * batch + field] = 4 * (target + offsets[batch]! - staging.start);
    }
    return;
  }
  let index = target;
  for (let batch = 0; batch < offsets.length; batch++) {
    heapWords[table + entryWords * batch + field] = 4 * index;
    for (let i = 0; i < rows; i++) {
      let element = offsets[batch]! + i * rowStride;
      for (let p = 0; p < columns; p++, index++, element += colStride) heap[index] = source[element]!;
    }
  }
}

/**
 * Writes `bias`, broadcast to [m, n], over `batches` dense m×n products of
 * the heap from float index `start`: one row or one column is built, the
 * rest copied from it by doubling, which runs at memcpy speed.
 */
export function writeBias(bias: GemmBias, m: number, n: number, batches: number, start: number): void {
  const { values, offset, rowStride, columnStride } = bias;
  if (rowStride === 0) {
    for (let j = 0; j < n; j++) heap[start + j] = values[offset + j * columnStride]!;
    repeatForward(start, n, m * n);
  } else {
    for (let i = 0; i < m; i++) {
      const row = start + i * n;
      if (columnStride === 0) heap.fill(values[offset + i * rowStride]!, row, row + n);
      else for (let j = 0; j < n; j++) heap[row + j] = values[offset + i * rowStride + j * columnStride]!;
    }
  }
  repeatForward(start, m * n, batches * m * n);
}

/** Fills heap[start, start + total) with copies of its first `filled` floats. */
function repeatForward(start: number, filled: number, total: number): void {
  while (filled < total) {
    const count = Math.min(filled, total - filled);
    heap.copyWithin(start + filled, start, start + count);
    filled += count;
  }
}
