/**
 * A big threaded product in row pieces, so that its copies overlap its
 * compute.
 *
 * gemm-wasm.ts copies A in before the tile tasks start and C out after they
 * end, both on the calling thread while the workers wait: for a
 * 4096×256×1024 product (a Transformer's feed-forward layer) that is 4 MB
 * in and 16 MB out, into a new array whose pages fault on first touch.
 * Here B is packed once and A and C are cut into pieces of rows; while the
 * workers compute piece i, the calling thread copies out piece i-1's C and
 * stages piece i+1's A (two slots of each in the heap), then joins them. So
 * only the first piece's copy in and the last piece's copy out are left
 * outside the compute. Every element of C is still summed over the whole
 * depth in one order: the results are the bits of the whole product.
 */
import type { GemmBias } from '../../backend.js';
import { type GemmPlan, KC, MC, MR, NC, NR, planGemm } from './gemm-plan.js';
import {
  JOB, JOB_BYTES, type Loaded, PACK_PHASE, SCRATCH_BYTES, TILE_PHASE, heap, heapWords, planStaging, reserve, roundUp, stage, writeBias,
} from './wasm-heap.js';

/**
 * The bytes of A or C (the larger) a piece aims at. Measured on a
 * 4096×256×1024 product into a new output on two threads: whole, 36–38 ms
 * (56 GFLOP/s); in 8 pieces of 2 MB, 31–32 ms (68 GFLOP/s); pieces of 1 or
 * 4 MB within a millisecond of that. Products whose copies are small next
 * to their compute (1024³) gain nothing and lose nothing.
 */
const PIECE_BYTES = 2 << 20;
let pieceRowsOverride: number | undefined;
let productsPiped = 0;

/** Products run in pieces so far: what tells a test the pieced path ran. */
export function pipelinedProducts(): number {
  return productsPiped;
}

/**
 * Overrides the rows a piece aims at (tests use a few rows, to cut small
 * products into many pieces); `undefined` restores the default. Returns the
 * previous override.
 */
export function setPipelinePieceRows(rows: number | undefined): number | undefined {
  const previous = pieceRowsOverride;
  pieceRowsOverride = rows;
  return previous;
}

/** How many pieces an m-row product is cut into (1: it runs whole). */
function pieceCount(m: number, n: number, k: number): number {
  const target = pieceRowsOverride ?? Math.max(MC, Math.ceil(PIECE_BYTES / (4 * Math.max(n, k))));
  return Math.max(1, Math.floor(m / target));
}

/** The two descriptors: piece i runs on job slot i mod 2 while the next one's is written. */
const JOB_SLOTS = [JOB, JOB + JOB_BYTES / 2] as const;

/**
 * C (+)= A·B for one float32 m×n×k product whose A rows are contiguous
 * (`aColStride` 1), in pieces of rows on `workers` enlisted workers and the
 * calling thread; the arguments are {@link gemmWasmGroup}'s for one product,
 * already checked to lie inside their arrays. Returns false, having touched
 * nothing, when the product is too small to cut or the memory cannot grow.
 */
export function gemmPipelined(
  wasm: Loaded, workers: number,
  m: number, n: number, k: number,
  a: Float32Array, aOffset: number, aRowStride: number,
  b: Float32Array, bOffset: number, bRowStride: number, bColStride: number,
  c: Float32Array, cOffset: number,
  accumulate: boolean, bias: GemmBias | null,
): boolean {
  const pool = wasm.pool;
  // Pieces of whole micro-panels of rows: rounding them up can leave fewer pieces than aimed at.
  const pieceRows = roundUp(Math.ceil(m / pieceCount(m, n, k)), MR);
  const pieces = Math.ceil(m / pieceRows);
  if (pool === undefined || workers === 0 || pieces < 2) return false;
  const rowsOf = (piece: number): number => Math.min(pieceRows, m - piece * pieceRows);
  const fullPlan = planGemm(pieceRows, n, k, 1, 1, workers);
  const lastPlan = planGemm(rowsOf(pieces - 1), n, k, 1, 1, workers);
  if (fullPlan.mode !== 'split' || lastPlan.mode !== 'split') return false;
  const planOf = (piece: number): GemmPlan => (piece === pieces - 1 ? lastPlan : fullPlan);
  const aStagingOf = (piece: number) => planStaging([aOffset + piece * pieceRows * aRowStride], rowsOf(piece), k, aRowStride, 1);
  const bStaging = planStaging([bOffset], k, n, bRowStride, bColStride);
  const nPad = roundUp(n, NR);

  // Byte addresses, 16-byte aligned: private regions, two table entries, two C and two A slots, B, B packed.
  const privateStride = SCRATCH_BYTES + 4 * MC * KC;
  const privateBase = JOB + JOB_BYTES;
  const table = privateBase + (pool.size + 1) * privateStride;
  const cSlotBytes = 4 * roundUp(pieceRows * n, 4);
  const aSlotBytes = 4 * roundUp(aStagingOf(0).length, 4);
  const cStarts = [table + 32, table + 32 + cSlotBytes];
  const aStarts = [cStarts[1]! + cSlotBytes, cStarts[1]! + cSlotBytes + aSlotBytes];
  const bStart = aStarts[1]! + aSlotBytes;
  const packedStart = bStart + 4 * roundUp(bStaging.length, 4);
  if (!reserve(wasm.memory, packedStart + 4 * k * nPad)) return false;

  const overwrite = !accumulate && bias === null;
  const entry = (slot: number): number => table + 16 * slot;
  stage(b, [bOffset], k, n, bRowStride, bColStride, bStaging, bStart / 4, entry(0) / 4, 1);
  for (const slot of [0, 1]) {
    heapWords[entry(slot) / 4 + 1] = heapWords[entry(0) / 4 + 1]!;
    heapWords[entry(slot) / 4 + 2] = cStarts[slot]!;
    heapWords[entry(slot) / 4 + 3] = packedStart;
  }

  /** Writes piece `piece`'s descriptor into job slot `slot`. */
  const describe = (piece: number, slot: number): void => {
    const plan = planOf(piece);
    const staging = aStagingOf(piece);
    heapWords.set([
      rowsOf(piece), n, k, staging.rowStride, staging.colStride, bStaging.rowStride, bStaging.colStride,
      nPad, plan.tileRows, plan.tileColumns, plan.rowTiles, plan.columnTiles,
      plan.packColumns, plan.packChunks, plan.kBlocks, entry(slot), privateBase, privateStride,
      1, 1, MC, KC, NC, overwrite ? 1 : 0,
    ], JOB_SLOTS[slot]! / 4);
  };
  /** Copies piece `piece`'s rows of A into slot `slot`, and starts its C (the output's rows, the bias, or nothing). */
  const stagePiece = (piece: number, slot: number): void => {
    const first = piece * pieceRows;
    const rows = rowsOf(piece);
    stage(a, [aOffset + first * aRowStride], rows, k, aRowStride, 1, aStagingOf(piece), aStarts[slot]! / 4, entry(slot) / 4, 0);
    if (accumulate) heap.set(c.subarray(cOffset + first * n, cOffset + (first + rows) * n), cStarts[slot]! / 4);
    else if (bias !== null) writeBias({ ...bias, offset: bias.offset + first * bias.rowStride }, rows, n, 1, cStarts[slot]! / 4);
  };
  /** Copies piece `piece`'s C out of slot `slot`. */
  const finishPiece = (piece: number, slot: number): void => {
    const from = cStarts[slot]! / 4;
    c.set(heap.subarray(from, from + rowsOf(piece) * n), cOffset + piece * pieceRows * n);
  };

  describe(0, 0);
  pool.run(PACK_PHASE, fullPlan.packTasks, JOB_SLOTS[0], workers, () => stagePiece(0, 0));
  for (let piece = 0; piece < pieces; piece++) {
    const slot = piece & 1;
    pool.run(TILE_PHASE, planOf(piece).tileTasks, JOB_SLOTS[slot], workers, () => {
      if (piece > 0) finishPiece(piece - 1, 1 - slot);
      if (piece + 1 < pieces) {
        stagePiece(piece + 1, 1 - slot);
        describe(piece + 1, 1 - slot);
      }
    });
  }
  finishPiece(pieces - 1, (pieces - 1) & 1);
  productsPiped++;
  return true;
}
