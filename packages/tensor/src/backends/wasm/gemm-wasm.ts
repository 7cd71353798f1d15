/**
 * Runs float32 matrix products through the WebAssembly SIMD module of
 * gemm.wat (assembled into gemm-wasm.generated.ts by scripts/build-wasm.mjs),
 * on the calling thread and the worker pool of gemm-pool.ts.
 *
 * The module works on its own linear memory, so each call copies A and B in
 * and C out; that is O(mk + kn + mn) memcpy-speed work against 2mnk FLOP, and
 * the strided packing itself runs in wasm. Where threads are available the
 * memory is a shared `WebAssembly.Memory` that every worker's instance
 * imports; elsewhere the same module, its memory import's flag byte switched
 * to unshared, runs on one thread. The memory is grown, never shrunk, so steady-state
 * calls allocate no buffers.
 *
 * Memory layout of one call (byte addresses, 16-byte aligned): the job
 * descriptor at 0, one private region per thread (edge scratch and packing
 * buffers), the batch table, C, the staged A and B, and B packed whole
 * (split plans only). See the descriptor fields in gemm.wat.
 *
 * Compilation is synchronous (the module is a few kilobytes) and happens
 * when the backend registers (wasm-backend.ts); any failure there (no
 * WebAssembly, no SIMD, a CSP that forbids wasm) means the backend does not
 * register, and the CPU reference stays active.
 */
import { type GemmBias, getNumThreads, threadingSupport } from '../../backend.js';
import { GEMM_WASM_BASE64, GEMM_WASM_MEMORY_FLAGS_OFFSET } from './gemm-wasm.generated.js';
import { BATCH_PHASE, GemmPool, PACK_PHASE, type TaskExports, TILE_PHASE } from './gemm-pool.js';
import { KC, MC, NC, NR, planGemm } from './gemm-plan.js';
import { decodeBase64 } from './wasm-module.js';

/** What gemm.wat exports. */
type GemmExports = TaskExports;

interface Loaded {
  exports: GemmExports;
  memory: WebAssembly.Memory;
  /** The pool, where the memory is shared (started lazily: no workers until a product needs them). */
  pool: GemmPool | undefined;
}

/** The job descriptor's address and size. */
const JOB = 0;
const JOB_BYTES = 256;
/** Bytes of a thread's edge-tile scratch, before its packing buffers. */
const SCRATCH_BYTES = 128;
const PAGE_BYTES = 65536;
/** The memory's maximum (pages), as declared in gemm.wat: 2 GiB less a page, all of it i32-addressable. */
const MAX_PAGES = 32767;
/**
 * Float32 products with at least this many multiply-adds, and at least
 * `MIN_OUTPUTS` entries of C, go to the WebAssembly kernel. Measured: it wins
 * from about 10×10×10 up, even for one-row products (1×1000×1000: 2.8×);
 * below, or with a C of a few entries (a dot product, 2×2×256), its copies
 * and padded 4×8 tiles cost more than the JS kernel's whole product.
 */
const MIN_MULTIPLY_ADDS = 1024;
const MIN_OUTPUTS = 64;
const MAX_BYTES = MAX_PAGES * PAGE_BYTES;
/** A strided operand whose span exceeds its size this much is gathered densely first. */
const SPAN_SLACK = 4;

let loaded: Loaded | undefined;
let loadFailed = false;
/** Views over the current memory buffer; replaced when the memory grows. */
let heap = new Float32Array(0);
let heapWords = new Int32Array(0);

function instantiate(shared: boolean): Loaded {
  const bytes = decodeBase64(GEMM_WASM_BASE64);
  // The generated module imports a shared memory; one flag byte makes it import an unshared one.
  if (!shared) bytes[GEMM_WASM_MEMORY_FLAGS_OFFSET] = 1;
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
  return { exports, memory, pool: shared ? new GemmPool(module, memory, exports) : undefined };
}

function load(): Loaded | undefined {
  if (loaded !== undefined || loadFailed) return loaded;
  try {
    if (threadingSupport().available) {
      try {
        loaded = instantiate(true);
      } catch {
        // A runtime with SharedArrayBuffer but no shared wasm memory: one thread.
      }
    }
    loaded ??= instantiate(false);
  } catch {
    loadFailed = true;
  }
  return loaded;
}

/** Whether this runtime compiles the module (compiling it now if it has not yet). */
export function wasmGemmAvailable(): boolean {
  return load() !== undefined;
}

/** Whether products can run on the worker pool here (a shared memory was created). */
export function wasmGemmThreaded(): boolean {
  return load()?.pool !== undefined;
}

/** Tasks the pool's workers have run so far (0 without a pool): what tells a test they took part. */
export function wasmGemmWorkerTasks(): number {
  return load()?.pool?.workerTasks ?? 0;
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

/** Makes the memory at least `bytes` long and the views current; false if it cannot grow. */
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
  if (heap.buffer !== memory.buffer || heap.length * 4 < memory.buffer.byteLength) {
    heap = new Float32Array(memory.buffer);
    heapWords = new Int32Array(memory.buffer);
  }
  return true;
}

/** How one operand of every product is placed in the heap. */
interface Staging {
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
function planStaging(offsets: readonly number[], rows: number, columns: number, rowStride: number, colStride: number): Staging {
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

/** Copies one operand into the heap at float index `target`, writing each product's address into `field` of the table. */
function stage(
  source: Float32Array, offsets: readonly number[], rows: number, columns: number, rowStride: number, colStride: number,
  staging: Staging, target: number, table: number, field: number,
): void {
  if (staging.whole) {
    heap.set(source.subarray(staging.start, staging.start + staging.length), target);
    for (let batch = 0; batch < offsets.length; batch++) {
      heapWords[table + 4 * batch + field] = 4 * (target + offsets[batch]! - staging.start);
    }
    return;
  }
  let index = target;
  for (let batch = 0; batch < offsets.length; batch++) {
    heapWords[table + 4 * batch + field] = 4 * index;
    for (let i = 0; i < rows; i++) {
      let element = offsets[batch]! + i * rowStride;
      for (let p = 0; p < columns; p++, index++, element += colStride) heap[index] = source[element]!;
    }
  }
}

/**
 * Bytes of operands a group of products stages at once. Staging a whole big
 * batch before computing it streams it through main memory several times;
 * groups this size stay in cache between the copy in, the packing and the
 * copy out. Measured on 64 products of 32×288 by 288×676 (a convolution's):
 * whole, 6.5 GFLOP/s; one product at a time, 8.1.
 */
const GROUP_BYTES = 2 << 20;

/**
 * C (+)= A·B for `aOffsets.length` float32 m×n×k products on the WebAssembly
 * kernel, summed in float32, on `getNumThreads()` threads when the product
 * is big enough: product `batch` reads A[i][p] at
 * `a[aOffsets[batch] + i*aRowStride + p*aColStride]`, B likewise, and writes
 * the dense C at `c[cOffset + batch*m*n + i*n + j]`. Products are staged and
 * run in groups of about `GROUP_BYTES`. Returns how many leading products it
 * computed: all of them, or fewer (touching none of the rest) when the
 * kernel is unavailable, the operands reach outside their arrays, or a group
 * needs more memory than the module can address; the caller then runs the
 * rest one by one or on the kernel below. A `bias` (only without
 * `accumulate`) is where each C starts, written straight into wasm memory.
 */
export function gemmWasmBatched(
  m: number, n: number, k: number,
  a: Float32Array, aOffsets: readonly number[], aRowStride: number, aColStride: number,
  b: Float32Array, bOffsets: readonly number[], bRowStride: number, bColStride: number,
  c: Float32Array, cOffset: number,
  accumulate: boolean, bias: GemmBias | null = null,
): number {
  const batches = aOffsets.length;
  const aShared = aOffsets.every((offset) => offset === aOffsets[0]);
  const bShared = bOffsets.every((offset) => offset === bOffsets[0]);
  const productBytes = 4 * ((aShared ? 0 : m * k) + (bShared ? 0 : k * n) + m * n);
  const group = Math.max(1, Math.floor(GROUP_BYTES / productBytes));
  let done = 0;
  while (done < batches) {
    const end = Math.min(batches, done + group);
    const ran = gemmWasmGroup(
      m, n, k,
      a, aOffsets.slice(done, end), aRowStride, aColStride,
      b, bOffsets.slice(done, end), bRowStride, bColStride,
      c, cOffset + done * m * n, accumulate, bias,
    );
    if (!ran) break;
    done = end;
  }
  return done;
}

/** One group of {@link gemmWasmBatched}: true when computed, false having touched nothing. */
function gemmWasmGroup(
  m: number, n: number, k: number,
  a: Float32Array, aOffsets: readonly number[], aRowStride: number, aColStride: number,
  b: Float32Array, bOffsets: readonly number[], bRowStride: number, bColStride: number,
  c: Float32Array, cOffset: number,
  accumulate: boolean, bias: GemmBias | null,
): boolean {
  const wasm = load();
  const batches = aOffsets.length;
  if (wasm === undefined || batches === 0 || bOffsets.length !== batches) return false;
  const aStaging = planStaging(aOffsets, m, k, aRowStride, aColStride);
  const bStaging = planStaging(bOffsets, k, n, bRowStride, bColStride);
  if (aStaging.start < 0 || aStaging.end > a.length || bStaging.start < 0 || bStaging.end > b.length
    || cOffset < 0 || cOffset + batches * m * n > c.length) {
    return false;
  }
  const pool = wasm.pool;
  const wanted = pool === undefined ? 0 : getNumThreads() - 1;
  const packBatches = bOffsets.every((offset) => offset === bOffsets[0]) ? 1 : batches;
  const plan = planGemm(m, n, k, batches, packBatches, wanted);
  const workers = plan.workers > 0 ? pool!.enlist(plan.workers) : 0;
  const split = plan.mode === 'split' && workers > 0;
  const nPad = roundUp(n, NR);

  // Byte addresses; every region 16-byte aligned.
  const slots = (pool?.size ?? 0) + 1;
  const privateStride = SCRATCH_BYTES + 4 * MC * KC + (split ? 0 : 4 * KC * roundUp(Math.min(n, NC), NR));
  const privateBase = JOB + JOB_BYTES;
  const table = privateBase + slots * privateStride;
  const cStart = table + roundUp(16 * batches, 16);
  const aStart = cStart + 4 * roundUp(batches * m * n, 4);
  const bStart = aStart + 4 * roundUp(aStaging.length, 4);
  const packedStart = bStart + 4 * roundUp(bStaging.length, 4);
  const end = packedStart + (split ? 4 * packBatches * k * nPad : 0);
  if (!reserve(wasm.memory, end)) return false;

  stage(a, aOffsets, m, k, aRowStride, aColStride, aStaging, aStart / 4, table / 4, 0);
  stage(b, bOffsets, k, n, bRowStride, bColStride, bStaging, bStart / 4, table / 4, 1);
  for (let batch = 0; batch < batches; batch++) {
    heapWords[table / 4 + 4 * batch + 2] = cStart + 4 * batch * m * n;
    heapWords[table / 4 + 4 * batch + 3] = packedStart + (packBatches === 1 ? 0 : 4 * batch * k * nPad);
  }
  // C starts as the output's values, or the bias; else the first depth block stores instead of adding.
  const overwrite = !accumulate && bias === null;
  if (accumulate) heap.set(c.subarray(cOffset, cOffset + batches * m * n), cStart / 4);
  else if (bias !== null) writeBias(bias, m, n, batches, cStart / 4);

  const job = heapWords.subarray(JOB / 4, JOB / 4 + 24);
  job.set([
    m, n, k, aStaging.rowStride, aStaging.colStride, bStaging.rowStride, bStaging.colStride,
    nPad, plan.tileRows, plan.tileColumns, plan.rowTiles, plan.columnTiles,
    plan.packColumns, plan.packChunks, plan.kBlocks, table, privateBase, privateStride,
    batches, plan.batchesPerTask, MC, KC, NC, overwrite ? 1 : 0,
  ]);
  if (split) {
    pool!.run(PACK_PHASE, plan.packTasks, JOB, workers);
    pool!.run(TILE_PHASE, plan.tileTasks, JOB, workers);
  } else if (pool !== undefined) {
    pool.run(BATCH_PHASE, plan.batchTasks, JOB, workers);
  } else {
    for (let task = 0; task < plan.batchTasks; task++) wasm.exports.batchTask(JOB, task, 0);
  }
  c.set(heap.subarray(cStart / 4, cStart / 4 + batches * m * n), cOffset);
  return true;
}

/**
 * Writes `bias`, broadcast to [m, n], over `batches` dense m×n products of
 * the heap from float index `start`: one row or one column is built, the
 * rest copied from it by doubling, which runs at memcpy speed.
 */
function writeBias(bias: GemmBias, m: number, n: number, batches: number, start: number): void {
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

/**
 * One float32 product, C[m×n] (+)= A[m×k]·B[k×n], with the arguments of the
 * CPU reference's `gemmStrided`; see {@link gemmWasmBatched}.
 */
export function gemmWasm(
  m: number, n: number, k: number,
  a: Float32Array, aOffset: number, aRowStride: number, aColStride: number,
  b: Float32Array, bOffset: number, bRowStride: number, bColStride: number,
  c: Float32Array, cOffset: number,
  accumulate: boolean,
): boolean {
  return gemmWasmGroup(m, n, k, a, [aOffset], aRowStride, aColStride, b, [bOffset], bRowStride, bColStride, c, cOffset, accumulate, null);
}
