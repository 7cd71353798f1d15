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
import { ATTENTION_BACKWARD_PHASE, ATTENTION_FORWARD_PHASE } from './gemm-pool.js';
import { KC, MC, NC, NR, planGemm } from './gemm-plan.js';
import { JOB, JOB_BYTES, SCRATCH_BYTES, type Loaded, heap, heapWords, load, planStaging, reserve, roundUp, stage } from './wasm-heap.js';

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

/** Table bytes per head: eight addresses (attention-tasks.wat). */
const ENTRY_WORDS = 8;
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
  mcBlock: 20, kcBlock: 21, ncBlock: 22, scale: 23, gradient: 24,
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

function planGroup(wasm: Loaded, sizes: AttentionSizes, count: number, backward: boolean): GroupPlan {
  const { length, sourceLength, features, valueFeatures } = sizes;
  const pool = wasm.pool;
  const wanted = pool === undefined ? 0 : getNumThreads() - 1;
  // The gemm's threshold decides whether waking the workers pays: the group's products as one batch.
  const gemmPlan = planGemm(length, sourceLength, features + valueFeatures, count, count, wanted);
  const workers = gemmPlan.workers > 0 ? pool!.enlist(gemmPlan.workers) : 0;
  const threads = workers + 1;
  const batchesPerTask = workers > 0 ? Math.ceil(count / Math.min(count, 4 * threads)) : count;
  const ncBlock = roundUp(Math.min(NC, Math.max(sourceLength, features, valueFeatures)), NR);
  const privateStride = SCRATCH_BYTES + 4 * MC * KC + 4 * KC * ncBlock + (backward ? 4 * roundUp(length * sourceLength, 4) : 0);
  return {
    workers, batchesPerTask, tasks: Math.ceil(count / batchesPerTask), ncBlock, privateStride,
    slots: (pool?.size ?? 0) + 1,
  };
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

function slice(operand: AttentionOperand, start: number, end: number): AttentionOperand {
  return { ...operand, offsets: operand.offsets.slice(start, end) };
}

function validSizes(sizes: AttentionSizes): boolean {
  const { heads, length, sourceLength, features, valueFeatures } = sizes;
  return heads > 0 && length > 0 && sourceLength > 0 && features > 0 && valueFeatures > 0;
}

/**
 * Forward: for each head, `weights = softmax(q·kᵀ·scale + Σ masks)` along the
 * keys (max-shifted, float32) and `output = weights·v`. q is L×E, k S×E,
 * v S×Ev and each mask (at most two) L×S per head; `output` receives the
 * dense [heads, L, Ev] result and `weights` the dense [heads, L, S] one.
 * Returns false, having written nothing, where the module cannot run it.
 */
export function attentionForwardWasm(
  sizes: AttentionSizes, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
  masks: readonly AttentionOperand[], scale: number, output: Float32Array, weights: Float32Array,
): boolean {
  const wasm = load();
  const { heads, length, sourceLength, features, valueFeatures } = sizes;
  if (wasm === undefined || !validSizes(sizes) || masks.length > 2
    || output.length < heads * length * valueFeatures || weights.length < heads * length * sourceLength
    || !inBounds(q, length, features) || !inBounds(k, sourceLength, features) || !inBounds(v, sourceLength, valueFeatures)
    || masks.some((mask) => !inBounds(mask, length, sourceLength))) {
    return false;
  }
  const perHead = length * features + sourceLength * (features + valueFeatures) + length * (sourceLength + valueFeatures);
  const group = headsPerGroup(perHead + masks.length * length * sourceLength);
  // Every group is checked before the first is written, so a false return leaves the outputs untouched.
  const groups: [number, number][] = [];
  for (let start = 0; start < heads; start += group) groups.push([start, Math.min(heads, start + group)]);
  const layouts = groups.map(([start, end]) => {
    const count = end - start;
    const plan = planGroup(wasm, sizes, count, false);
    const stagings = [q, k, v, ...masks].map((operand, index) => {
      const [rows, columns] = index === 0 ? [length, features] : index === 1 ? [sourceLength, features]
        : index === 2 ? [sourceLength, valueFeatures] : [length, sourceLength];
      return planStaging(operand.offsets.slice(start, end), rows, columns, operand.rowStride, operand.colStride);
    });
    const table = JOB + JOB_BYTES + plan.slots * plan.privateStride;
    const weightsStart = table + 4 * ENTRY_WORDS * count;
    const outputStart = weightsStart + 4 * roundUp(count * length * sourceLength, 4);
    let next = outputStart + 4 * roundUp(count * length * valueFeatures, 4);
    const starts = stagings.map((staging) => {
      const at = next;
      next += 4 * roundUp(staging.length, 4);
      return at;
    });
    return { start, end, count, plan, stagings, table, weightsStart, outputStart, starts, bytes: next };
  });
  if (!reserve(wasm.memory, Math.max(...layouts.map((layout) => layout.bytes)))) return false;
  for (const { start, end, count, plan, stagings, table, weightsStart, outputStart, starts } of layouts) {
    writeJob(sizes, plan, count, table, scale);
    [q, k, v, ...masks].forEach((operand, index) => {
      const staging = stagings[index]!;
      const part = slice(operand, start, end);
      const [rows, columns] = index === 0 ? [length, features] : index === 1 ? [sourceLength, features]
        : index === 2 ? [sourceLength, valueFeatures] : [length, sourceLength];
      // Table words: q 0, k 1, v 2, masks 5 and 6.
      stage(part.data, part.offsets, rows, columns, part.rowStride, part.colStride, staging, starts[index]! / 4, table / 4,
        index < 3 ? index : index + 2, ENTRY_WORDS);
      writeStrides([FIELD.query, FIELD.key, FIELD.value, FIELD.firstMask, FIELD.secondMask][index]!, staging.rowStride, staging.colStride);
    });
    heapWords[JOB / 4 + FIELD.masks] = masks.length;
    for (let head = 0; head < count; head++) {
      heapWords[table / 4 + ENTRY_WORDS * head + 3] = outputStart + 4 * head * length * valueFeatures;
      heapWords[table / 4 + ENTRY_WORDS * head + 4] = weightsStart + 4 * head * length * sourceLength;
    }
    runTasks(wasm, ATTENTION_FORWARD_PHASE, plan);
    weights.set(heap.subarray(weightsStart / 4, weightsStart / 4 + count * length * sourceLength), start * length * sourceLength);
    output.set(heap.subarray(outputStart / 4, outputStart / 4 + count * length * valueFeatures), start * length * valueFeatures);
  }
  return true;
}

/**
 * Backward of {@link attentionForwardWasm} (masks get no gradient): from the
 * output's gradient g (L×Ev per head) and the forward's dense `weights`
 * [heads, L, S], `dw = g·vᵀ`, `ds = scale·w·(dw − Σ dw·w)` per row, and
 * `dq = ds·k`, `dk = dsᵀ·q`, `dv = wᵀ·g`, written dense into `dq`
 * [heads, L, E], `dk` [heads, S, E] and `dv` [heads, S, Ev]. Returns false,
 * having written nothing, where the module cannot run it.
 */
export function attentionBackwardWasm(
  sizes: AttentionSizes, gradOutput: AttentionOperand, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
  weights: Float32Array, scale: number, dq: Float32Array, dk: Float32Array, dv: Float32Array,
): boolean {
  const wasm = load();
  const { heads, length, sourceLength, features, valueFeatures } = sizes;
  if (wasm === undefined || !validSizes(sizes) || weights.length < heads * length * sourceLength
    || dq.length < heads * length * features || dk.length < heads * sourceLength * features || dv.length < heads * sourceLength * valueFeatures
    || !inBounds(gradOutput, length, valueFeatures) || !inBounds(q, length, features)
    || !inBounds(k, sourceLength, features) || !inBounds(v, sourceLength, valueFeatures)) {
    return false;
  }
  const weightsOperand: AttentionOperand = {
    data: weights, offsets: Array.from({ length: heads }, (_, head) => head * length * sourceLength), rowStride: sourceLength, colStride: 1,
  };
  const operands = [q, k, v, gradOutput, weightsOperand];
  const shapes: [number, number][] = [[length, features], [sourceLength, features], [sourceLength, valueFeatures], [length, valueFeatures], [length, sourceLength]];
  // Table words: q 0, k 1, v 2, g 5, weights 4 (dq 3, dk 6, dv 7 below).
  const fields = [0, 1, 2, 5, 4];
  const perHead = 2 * (length * features + sourceLength * (features + valueFeatures)) + length * (valueFeatures + sourceLength);
  const group = headsPerGroup(perHead);
  const groups: [number, number][] = [];
  for (let start = 0; start < heads; start += group) groups.push([start, Math.min(heads, start + group)]);
  const layouts = groups.map(([start, end]) => {
    const count = end - start;
    const plan = planGroup(wasm, sizes, count, true);
    const stagings = operands.map((operand, index) =>
      planStaging(operand.offsets.slice(start, end), shapes[index]![0], shapes[index]![1], operand.rowStride, operand.colStride));
    const table = JOB + JOB_BYTES + plan.slots * plan.privateStride;
    const dqStart = table + 4 * ENTRY_WORDS * count;
    const dkStart = dqStart + 4 * roundUp(count * length * features, 4);
    const dvStart = dkStart + 4 * roundUp(count * sourceLength * features, 4);
    let next = dvStart + 4 * roundUp(count * sourceLength * valueFeatures, 4);
    const starts = stagings.map((staging) => {
      const at = next;
      next += 4 * roundUp(staging.length, 4);
      return at;
    });
    return { start, end, count, plan, stagings, table, dqStart, dkStart, dvStart, starts, bytes: next };
  });
  if (!reserve(wasm.memory, Math.max(...layouts.map((layout) => layout.bytes)))) return false;
  for (const { start, end, count, plan, stagings, table, dqStart, dkStart, dvStart, starts } of layouts) {
    writeJob(sizes, plan, count, table, scale);
    operands.forEach((operand, index) => {
      const staging = stagings[index]!;
      const part = slice(operand, start, end);
      stage(part.data, part.offsets, shapes[index]![0], shapes[index]![1], part.rowStride, part.colStride, staging,
        starts[index]! / 4, table / 4, fields[index]!, ENTRY_WORDS);
      if (index < 4) writeStrides([FIELD.query, FIELD.key, FIELD.value, FIELD.gradient][index]!, staging.rowStride, staging.colStride);
    });
    for (let head = 0; head < count; head++) {
      const entry = table / 4 + ENTRY_WORDS * head;
      heapWords[entry + 3] = dqStart + 4 * head * length * features;
      heapWords[entry + 6] = dkStart + 4 * head * sourceLength * features;
      heapWords[entry + 7] = dvStart + 4 * head * sourceLength * valueFeatures;
    }
    runTasks(wasm, ATTENTION_BACKWARD_PHASE, plan);
    dq.set(heap.subarray(dqStart / 4, dqStart / 4 + count * length * features), start * length * features);
    dk.set(heap.subarray(dkStart / 4, dkStart / 4 + count * sourceLength * features), start * sourceLength * features);
    dv.set(heap.subarray(dvStart / 4, dvStart / 4 + count * sourceLength * valueFeatures), start * sourceLength * valueFeatures);
  }
  return true;
}
