/**
 * Runs float32 matrix products through the WebAssembly SIMD module of
 * gemm.wat (assembled into gemm-wasm.generated.ts by scripts/build-wasm.mjs),
 * on the calling thread and the worker pool of task-pool.ts.
 *
 * The module works on its own linear memory (wasm-heap.ts), so each call
 * copies A and B in and C out; that is O(mk + kn + mn) memcpy-speed work
 * against 2mnk FLOP, and the strided packing itself runs in wasm.
 *
 * Memory layout of one call (byte addresses, 16-byte aligned): the job
 * descriptor at 0, one private region per thread (edge scratch and packing
 * buffers), the batch table, C, the staged A and B, and B packed whole
 * (split plans only). See the descriptor fields in gemm.wat.

 */
import { type GemmBias, getNumThreads } from '../../backend.js';
import { KC, MC, NC, NR, planGemm } from './gemm-plan.js';
import { gemmPipelined } from './gemm-pipelined.js';
import {
  BATCH_PHASE, JOB, JOB_BYTES, PACK_PHASE, SCRATCH_BYTES, TILE_PHASE, heap, heapWords, load, planStaging, reserve, roundUp, stage, writeBias,
} from './wasm-heap.js';

/**
 * Float32 products with at least this many multiply-adds, and at least
 * `MIN_OUTPUTS` entries of C, go to the WebAssembly kernel. Measured: it wins
 * from about 10×10×10 up, even for one-row products (1×1000×1000: 2.8×);
 * below, or with a C of a few entries (a dot product, 2×2×256), its copies
 * and padded 4×8 tiles cost more than the JS kernel's whole product.
 */
const MIN_MULTIPLY_ADDS = 1024;
const MIN_OUTPUTS = 64;
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
  if (split && batches === 1 && aColStride === 1 && gemmPipelined(
    wasm, workers, m, n, k, a, aOffsets[0]!, aRowStride, b, bOffsets[0]!, bRowStride, bColStride, c, cOffset, accumulate, bias,
  )) {
    return true;
  }
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
