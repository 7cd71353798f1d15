/**
 * How the `wasm` gemm cuts a (batched) product into tasks for its threads.
 *
 * - Small products (fewer than `THREAD_MIN_MULTIPLY_ADDS`) run whole on the
 *   calling thread: waking the workers costs more than they would save.
 * - Many products (a batch of at least four per thread) are shared out
 *   whole: one task is a few products, packed and computed by one thread.
 * - Otherwise each product is split: a packing phase packs B once, in
 *   pieces, for all threads; a compute phase then gives each thread
 *   tileRows×tileColumns tiles of C. Rows are split first (no work is
 *   repeated); columns next, each column tile repacking its rows of A.
 *
 * About four tasks per thread let a thread slowed down by another process
 * claim fewer of them. No plan splits the depth k, so results are
 * bit-identical for every thread count.
 */

/** Micro-tile of the wasm kernel: 4 rows of A by 8 columns of B. */
export const MR = 4;
export const NR = 8;
/** Depth of a packed block: an 8-wide B micro-panel (8 KiB of f32) stays in L1. */
export const KC = 256;
/** Rows of A per packed block: MC×KC floats (128 KiB) stay in L2. */
export const MC = 128;
/** Columns of B per packed block (one-thread path): KC×NC floats (2 MiB) stay in L3. */
export const NC = 2048;
/**
 * Products with fewer multiply-adds than this (about 100×100×100) stay on
 * the calling thread. Measured with every product threaded, on the 2-core
 * Xeon of `pnpm bench` (Node 20; best of 8 s of alternating runs, the
 * machine shared with other jobs): 96×96×96 takes 54 µs on one thread and
 * on two; 128×128×128 117 µs on one, 87 µs on two (1.34×); 192×192×192
 * 384 µs and 257 µs (1.5×); 256×256×256 1.0 ms and 0.67 ms; 512×512×512
 * 7.9 ms and 5.0 ms (34 and 54 GFLOP/s). Two threads use the same CPU time
 * as one (a 1024³ product: 69–71 ms either way), so above the threshold
 * the split costs only the hand-over.
 */
export const THREAD_MIN_MULTIPLY_ADDS = 1 << 20;
let threadMinMultiplyAdds = THREAD_MIN_MULTIPLY_ADDS;

/**
 * Overrides `THREAD_MIN_MULTIPLY_ADDS` (tests use 0 to thread every product,
 * however small); returns the previous value.
 */
export function setThreadMinMultiplyAdds(value: number): number {
  const previous = threadMinMultiplyAdds;
  threadMinMultiplyAdds = value;
  return previous;
}

/** Tasks per thread a split aims for. */
const TASKS_PER_THREAD = 4;
/** The smallest tiles a split makes: below, B (rows) or A (columns) is re-read too often. */
const MIN_TILE_ROWS = 32;
const MIN_TILE_COLUMNS = 64;
/** Tasks per job the pool's claim word can count. */
const MAX_TASKS = 0xfffff;

/** One product's cut, read by gemm-wasm.ts into the job descriptor. */
export interface GemmPlan {
  /** 'batch': whole products per task; 'split': packing then tile tasks. */
  mode: 'batch' | 'split';
  /** Workers that take part besides the calling thread (0: it runs alone). */
  workers: number;
  /** Batch mode: products per task, and tasks. */
  batchesPerTask: number;
  batchTasks: number;
  /** Split mode: the tiles of C one task computes. */
  tileRows: number;
  tileColumns: number;
  rowTiles: number;
  columnTiles: number;
  tileTasks: number;
  /** Split mode: the pieces of B one packing task packs (kBlocks × packChunks per packed B). */
  packColumns: number;
  packChunks: number;
  kBlocks: number;
  packTasks: number;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * The plan for `batches` m×n×k products with `workers` workers available;
 * `packBatches` is how many distinct B operands the batch has (1 when B is
 * broadcast over it).
 */
export function planGemm(m: number, n: number, k: number, batches: number, packBatches: number, workers: number): GemmPlan {
  const plan: GemmPlan = {
    mode: 'batch', workers: 0, batchesPerTask: batches, batchTasks: 1,
    tileRows: 0, tileColumns: 0, rowTiles: 0, columnTiles: 0, tileTasks: 0,
    packColumns: 0, packChunks: 0, kBlocks: Math.ceil(k / KC), packTasks: 0,
  };
  if (workers === 0 || m * n * k * batches < threadMinMultiplyAdds) return plan;
  const threads = workers + 1;
  const target = TASKS_PER_THREAD * threads;
  plan.workers = workers;
  if (batches >= target) {
    plan.batchesPerTask = Math.max(Math.ceil(batches / target), Math.ceil(batches / MAX_TASKS));
    plan.batchTasks = Math.ceil(batches / plan.batchesPerTask);
    return plan;
  }
  plan.mode = 'split';
  let tileRows = Math.min(MC, roundUp(m, MR));
  let tileColumns = Math.min(NC, roundUp(n, NR));
  const tiles = (): number => batches * Math.ceil(m / tileRows) * Math.ceil(n / tileColumns);
  while (tiles() < target) {
    if (tileRows >= 2 * MIN_TILE_ROWS && (tileRows * 8 >= tileColumns || tileColumns < 2 * MIN_TILE_COLUMNS)) {
      tileRows = roundUp(tileRows / 2, MR);
    } else if (tileColumns >= 2 * MIN_TILE_COLUMNS) {
      tileColumns = roundUp(tileColumns / 2, NR);
    } else {
      break;
    }
  }
  plan.tileRows = tileRows;
  plan.tileColumns = tileColumns;
  plan.rowTiles = Math.ceil(m / tileRows);
  plan.columnTiles = Math.ceil(n / tileColumns);
  plan.tileTasks = tiles();
  let packColumns = roundUp(n, NR);
  const packTasks = (): number => packBatches * plan.kBlocks * Math.ceil(n / packColumns);
  while (packTasks() < 2 * threads && packColumns >= 2 * MIN_TILE_COLUMNS) packColumns = roundUp(packColumns / 2, NR);
  plan.packColumns = packColumns;
  plan.packChunks = Math.ceil(n / packColumns);
  plan.packTasks = packTasks();
  return plan;
}
