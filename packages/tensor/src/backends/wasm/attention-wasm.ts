/**
 * Scaled dot-product attention, forward and backward, on the tasks of
 * attention-tasks.wat: a head's scores go from q·kᵀ through the softmax
 * into weights·v inside wasm memory, on the gemm's worker pool. What the
 * unfused path moves through JavaScript arrays between its five products
 * and two softmax passes (on [32, 8, 128, 128] weights, eleven copies of
 * 16 MB per layer and step) stays in the module: only the operands go in and
 * the results (with the weights, which the backward and `needWeights` read)
 * come out.
 *
 * These are raw-array functions for a layer package's kernels (the
 * attention package registers its own kernels with them); like the gemm,
 * each returns false, having written nothing, when the module is missing or
 * its memory cannot hold a group of heads.
 */
import { getNumThreads } from '../../backend.js';
import { KC, MC, NC, NR, planGemm } from './gemm-plan.js';
import {
  ATTENTION_BACKWARD_PHASE, ATTENTION_FORWARD_PHASE, JOB, JOB_BYTES, SCRATCH_BYTES, type Loaded, heap, heapWords, load, planStaging, reserve, roundUp, stage,
} from './wasm-heap.js';

/**
 * One operand of the attention functions, a matrix per head: head `h` reads
 * element [i][j] at `data[offsets[h] + i * rowStride + j * colStride]`
 * (`offsets` has one entry per head).
 */
export interface AttentionOperand {
  /** The float32 values. */
  data: Float32Array;
  /** Where each head's matrix starts. */
  offsets: readonly number[];
  /** Elements between rows. */
  rowStride: number;
  /** Elements between columns. */
  colStride: number;
}

/** The sizes of an attention call: `heads` independent (sample, head) pairs. */
export interface AttentionSizes {
  /** The (sample, head) pairs: the product of the leading dimensions. */
  heads: number;
  /** Queries per head, L. */
  length: number;
  /** Keys (and values) per head, S. */
  sourceLength: number;
  /** Features of a query and a key, E. */
  features: number;
  /** Features of a value, Ev. */
  valueFeatures: number;
}

/** Table words per head: nine addresses, padded to 48 bytes (attention-tasks.wat). */
const ENTRY_WORDS = 12;
/**
 * Bytes of operands and results one group of heads stages: small enough
 * that a group stays in cache from the copy in to the copy out, as the
 * batched gemm's groups do (gemm-wasm.ts).
 */
const GROUP_BYTES = 4 << 20;

/** Word indices of the job descriptor's fields (attention-tasks.wat). */
const FIELD = {
  length: 0, sourceLength: 1, features: 2, valueFeatures: 3,
  query: 4, key: 6, value: 8, firstMask: 10, secondMask: 12, masks: 14,
  table: 15, privateBase: 16, privateStride: 17, batches: 18, batchesPerTask: 19,
  mcBlock: 20, kcBlock: 21, ncBlock: 22, scale: 23, gradient: 24, dropout: 26,
} as const;

/** How a group of heads is cut into tasks, and the per-thread buffers. */
interface GroupPlan {
  workers: number;
  batchesPerTask: number;
  tasks: number;
  ncBlock: number;
  privateStride: number;
  slots: number;
}

function planGroup(wasm: Loaded, sizes: AttentionSizes, count: number, backward: boolean, dropout: boolean): GroupPlan {
  const { length, sourceLength, features, valueFeatures } = sizes;
  const pool = wasm.pool;
  const wanted = pool === undefined ? 0 : getNumThreads() - 1;
  // The gemm's threshold decides whether waking the workers pays: the group's products as one batch.
  const gemmPlan = planGemm(length, sourceLength, features + valueFeatures, count, count, wanted);
  const workers = gemmPlan.workers > 0 ? pool!.enlist(gemmPlan.workers) : 0;
  const threads = workers + 1;
  const batchesPerTask = workers > 0 ? Math.ceil(count / Math.min(count, 4 * threads)) : count;
  const ncBlock = roundUp(Math.min(NC, Math.max(sourceLength, features, valueFeatures)), NR);
  // L×S buffers: the scores' gradient (backward), the weights after dropout.
  const headBuffers = (backward ? 1 : 0) + (dropout ? 1 : 0);
  const privateStride = SCRATCH_BYTES + 4 * MC * KC + 4 * KC * ncBlock + headBuffers * 4 * roundUp(length * sourceLength, 4);
  return {
    workers, batchesPerTask, tasks: Math.ceil(count / batchesPerTask), ncBlock, privateStride,
    slots: (pool?.size ?? 0) + 1,
  };
}

/** Byte addresses of consecutive 16-byte-aligned regions of `floats[i]` floats from `first`, and where they end. */
function placeRegions(first: number, floats: readonly number[]): { starts: number[]; end: number } {
  let next = first;
  const starts = floats.map((count) => {
    const at = next;
    next += 4 * roundUp(count, 4);
    return at;
  });
  return { starts, end: next };
}

/** Heads per group: as many as fit in {@link GROUP_BYTES}, at least one. */
function headsPerGroup(floatsPerHead: number): number {
  return Math.max(1, Math.floor(GROUP_BYTES / (4 * floatsPerHead)));
}

/** Writes the job descriptor's fields shared by both directions. */
function writeJob(sizes: AttentionSizes, plan: GroupPlan, count: number, table: number, scale: number): void {
  const job = JOB / 4;
  heapWords.fill(0, job, job + JOB_BYTES / 4);
  heapWords[job + FIELD.length] = sizes.length;
  heapWords[job + FIELD.sourceLength] = sizes.sourceLength;
  heapWords[job + FIELD.features] = sizes.features;
  heapWords[job + FIELD.valueFeatures] = sizes.valueFeatures;
  heapWords[job + FIELD.table] = table;
  heapWords[job + FIELD.privateBase] = JOB + JOB_BYTES;
  heapWords[job + FIELD.privateStride] = plan.privateStride;
  heapWords[job + FIELD.batches] = count;
  heapWords[job + FIELD.batchesPerTask] = plan.batchesPerTask;
  heapWords[job + FIELD.mcBlock] = MC;
  heapWords[job + FIELD.kcBlock] = KC;
  heapWords[job + FIELD.ncBlock] = plan.ncBlock;
  heap[job + FIELD.scale] = scale;
}

function writeStrides(field: number, rowStride: number, colStride: number): void {
  heapWords[JOB / 4 + field] = rowStride;
  heapWords[JOB / 4 + field + 1] = colStride;
}

function runTasks(wasm: Loaded, phase: number, plan: GroupPlan): void {
  if (plan.workers > 0) {
    wasm.pool!.run(phase, plan.tasks, JOB, plan.workers);
    return;
  }
  const task = phase === ATTENTION_FORWARD_PHASE ? wasm.exports.attentionForwardTask : wasm.exports.attentionBackwardTask;
  for (let index = 0; index < plan.tasks; index++) task(JOB, index, 0);
}

/** Whether every operand's matrices lie inside its array. */
function inBounds(operand: AttentionOperand, rows: number, columns: number): boolean {
  const staging = planStaging(operand.offsets, rows, columns, operand.rowStride, operand.colStride);
  return staging.start >= 0 && staging.end <= operand.data.length;
}

function validSizes(sizes: AttentionSizes): boolean {
  const { heads, length, sourceLength, features, valueFeatures } = sizes;
  return heads > 0 && length > 0 && sourceLength > 0 && features > 0 && valueFeatures > 0;
}

/**
 * Dense [heads, L, S] values as an operand: the tasks walk the weights and
 * the noise as dense rows (stride S), so they are staged whole.
 */
function denseHeads(data: Float32Array, sizes: AttentionSizes): AttentionOperand {
  const size = sizes.length * sizes.sourceLength;
  return { data, offsets: Array.from({ length: sizes.heads }, (_, head) => head * size), rowStride: sizes.sourceLength, colStride: 1 };
}

/** The dropout noise as the tasks' input (table word 8), or nothing. */
function noiseInputs(noise: Float32Array | null, sizes: AttentionSizes): Input[] {
  if (noise === null) return [];
  return [{ operand: denseHeads(noise, sizes), rows: sizes.length, columns: sizes.sourceLength, word: 8, strideField: null }];
}

/** An operand of one call: its matrices' shape, the table word of its address and the job fields of its strides. */
interface Input {
  operand: AttentionOperand;
  rows: number;
  columns: number;
  word: number;
  strideField: number | null;
}

/** A dense result of one call: floats per head and the table word of its address. */
interface Result {
  array: Float32Array;
  floatsPerHead: number;
  word: number;
}

/**
 * Runs `phase` over every head in groups: stages the inputs, points each
 * head's table entry at its inputs and results, runs the tasks, copies the
 * results out. Every group is laid out (and the memory grown) before the
 * first is written, so a false return leaves the results untouched.
 */
function runHeads(
  wasm: Loaded, sizes: AttentionSizes, phase: number, scale: number, inputs: readonly Input[], results: readonly Result[],
  dropout: boolean, setUpJob: () => void,
): boolean {
  const perHead = inputs.reduce((total, input) => total + input.rows * input.columns, 0)
    + results.reduce((total, result) => total + result.floatsPerHead, 0);
  const group = headsPerGroup(perHead);
  const layouts = [];
  for (let start = 0; start < sizes.heads; start += group) {
    const end = Math.min(sizes.heads, start + group);
    const count = end - start;
    const plan = planGroup(wasm, sizes, count, phase === ATTENTION_BACKWARD_PHASE, dropout);
    const stagings = inputs.map(({ operand, rows, columns }) =>
      planStaging(operand.offsets.slice(start, end), rows, columns, operand.rowStride, operand.colStride));
    const table = JOB + JOB_BYTES + plan.slots * plan.privateStride;
    const regions = placeRegions(table + 4 * ENTRY_WORDS * count,
      [...results.map((result) => count * result.floatsPerHead), ...stagings.map((staging) => staging.length)]);
    layouts.push({ start, end, count, plan, stagings, table, starts: regions.starts, bytes: regions.end });
  }
  if (!reserve(wasm.memory, Math.max(...layouts.map((layout) => layout.bytes)))) return false;
  for (const { start, end, count, plan, stagings, table, starts } of layouts) {
    writeJob(sizes, plan, count, table, scale);
    heapWords[JOB / 4 + FIELD.dropout] = dropout ? 1 : 0;
    setUpJob();
    inputs.forEach(({ operand, rows, columns, word, strideField }, index) => {
      const staging = stagings[index]!;
      const offsets = operand.offsets.slice(start, end);
      stage(operand.data, offsets, rows, columns, operand.rowStride, operand.colStride, staging,
        starts[results.length + index]! / 4, table / 4, word, ENTRY_WORDS);
      if (strideField !== null) writeStrides(strideField, staging.rowStride, staging.colStride);
    });
    for (let head = 0; head < count; head++) {
      results.forEach((result, index) => {
        heapWords[table / 4 + ENTRY_WORDS * head + result.word] = starts[index]! + 4 * head * result.floatsPerHead;
      });
    }
    runTasks(wasm, phase, plan);
    results.forEach((result, index) => {
      const from = starts[index]! / 4;
      result.array.set(heap.subarray(from, from + count * result.floatsPerHead), start * result.floatsPerHead);
    });
  }
  return true;
}

/**
 * Forward: for each head, `weights = softmax(q·kᵀ·scale + Σ masks)` along the
 * keys (max-shifted, float32) and `output = (weights ⊙ noise)·v`, or
 * `weights·v` without `noise` (dropout's, dense [heads, L, S]: 0 or 1/(1 − p)).
 * q is L×E, k S×E, v S×Ev and each mask (at most two) L×S per head; `output`
 * receives the dense [heads, L, Ev] result and `weights` the dense
 * [heads, L, S] one (before dropout). Returns false, having written
 * nothing, where the module cannot run it.
 */
export function attentionForwardWasm(
  sizes: AttentionSizes, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
  masks: readonly AttentionOperand[], scale: number, output: Float32Array, weights: Float32Array, noise: Float32Array | null = null,
): boolean {
  const wasm = load();
  const { heads, length, sourceLength, features, valueFeatures } = sizes;
  if (wasm === undefined || !validSizes(sizes) || masks.length > 2
    || output.length < heads * length * valueFeatures || weights.length < heads * length * sourceLength
    || !inBounds(q, length, features) || !inBounds(k, sourceLength, features) || !inBounds(v, sourceLength, valueFeatures)
    || masks.some((mask) => !inBounds(mask, length, sourceLength)) || (noise !== null && noise.length < heads * length * sourceLength)) {
    return false;
  }
  // Table words (attention-tasks.wat): q 0, k 1, v 2, output 3, weights 4, masks 5 and 6, noise 8.
  const inputs: Input[] = [
    { operand: q, rows: length, columns: features, word: 0, strideField: FIELD.query },
    { operand: k, rows: sourceLength, columns: features, word: 1, strideField: FIELD.key },
    { operand: v, rows: sourceLength, columns: valueFeatures, word: 2, strideField: FIELD.value },
    ...masks.map((mask, index): Input => ({
      operand: mask, rows: length, columns: sourceLength, word: 5 + index, strideField: index === 0 ? FIELD.firstMask : FIELD.secondMask,
    })),
    ...noiseInputs(noise, sizes),
  ];
  const results: Result[] = [
    { array: output, floatsPerHead: length * valueFeatures, word: 3 },
    { array: weights, floatsPerHead: length * sourceLength, word: 4 },
  ];
  return runHeads(wasm, sizes, ATTENTION_FORWARD_PHASE, scale, inputs, results, noise !== null, () => {
    heapWords[JOB / 4 + FIELD.masks] = masks.length;
  });
}

/**
 * Backward of {@link attentionForwardWasm} (masks get no gradient): from the
 * output's gradient g (L×Ev per head), the forward's dense `weights`
 * [heads, L, S] and its `noise` (or null), with w' = w ⊙ noise (w without):
 * `dw = (g·vᵀ) ⊙ noise`, `ds = scale·w·(dw − Σ dw·w)` per row, and
 * `dq = ds·k`, `dk = dsᵀ·q`, `dv = w'ᵀ·g`, written dense into `dq`
 * [heads, L, E], `dk` [heads, S, E] and `dv` [heads, S, Ev]. Returns false,
 * having written nothing, where the module cannot run it.
 */
export function attentionBackwardWasm(
  sizes: AttentionSizes, gradOutput: AttentionOperand, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
  weights: Float32Array, scale: number, dq: Float32Array, dk: Float32Array, dv: Float32Array, noise: Float32Array | null = null,
): boolean {
  const wasm = load();
  const { heads, length, sourceLength, features, valueFeatures } = sizes;
  if (wasm === undefined || !validSizes(sizes) || weights.length < heads * length * sourceLength
    || dq.length < heads * length * features || dk.length < heads * sourceLength * features || dv.length < heads * sourceLength * valueFeatures
    || !inBounds(gradOutput, length, valueFeatures) || !inBounds(q, length, features)
    || !inBounds(k, sourceLength, features) || !inBounds(v, sourceLength, valueFeatures)
    || (noise !== null && noise.length < heads * length * sourceLength)) {
    return false;
  }
  // Table words (attention-tasks.wat): q 0, k 1, v 2, dq 3, weights 4, g 5, dk 6, dv 7, noise 8.
  const inputs: Input[] = [
    { operand: q, rows: length, columns: features, word: 0, strideField: FIELD.query },
    { operand: k, rows: sourceLength, columns: features, word: 1, strideField: FIELD.key },
    { operand: v, rows: sourceLength, columns: valueFeatures, word: 2, strideField: FIELD.value },
    { operand: gradOutput, rows: length, columns: valueFeatures, word: 5, strideField: FIELD.gradient },
    { operand: denseHeads(weights, sizes), rows: length, columns: sourceLength, word: 4, strideField: null },
    ...noiseInputs(noise, sizes),
  ];
  const results: Result[] = [
    { array: dq, floatsPerHead: length * features, word: 3 },
    { array: dk, floatsPerHead: sourceLength * features, word: 6 },
    { array: dv, floatsPerHead: sourceLength * valueFeatures, word: 7 },
  ];
  return runHeads(wasm, sizes, ATTENTION_BACKWARD_PHASE, scale, inputs, results, noise !== null, () => {});
}
