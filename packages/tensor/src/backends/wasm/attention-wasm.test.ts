import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../kernels/gemm-test-support.js';
import { getNumThreads, setNumThreads } from '../../threads/num-threads.js';
import { type AttentionOperand, type AttentionSizes, attentionBackwardWasm, attentionForwardWasm } from './attention-wasm.js';
import { setThreadMinMultiplyAdds } from './gemm-plan.js';
import { wasmGemmThreaded, wasmGemmWorkerTasks } from './gemm-wasm.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

type Layout = 'rowMajor' | 'columnMajor' | 'spaced' | 'broadcastRows';

/** Each head's rows×columns matrix in one array, laid out as `layout` says, after a few leading elements. */
function makeOperand(heads: number, rows: number, columns: number, layout: Layout, random: () => number): AttentionOperand {
  const lead = 3;
  const rowStride = layout === 'rowMajor' ? columns : layout === 'columnMajor' ? 1 : layout === 'spaced' ? columns + 2 : 0;
  const colStride = layout === 'columnMajor' ? rows : 1;
  const size = layout === 'broadcastRows' ? columns : layout === 'spaced' ? rows * (columns + 2) : rows * columns;
  const data = Float32Array.from({ length: lead + heads * size }, () => random() * 2 - 1);
  return { data, offsets: Array.from({ length: heads }, (_, head) => lead + head * size), rowStride, colStride };
}

const at = (operand: AttentionOperand, head: number, i: number, j: number): number =>
  operand.data[operand.offsets[head]! + i * operand.rowStride + j * operand.colStride]!;

/** The float64 weights, output and gradients of one head, written out from the formulas. */
function reference(sizes: AttentionSizes, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
  masks: AttentionOperand[], scale: number, g: AttentionOperand, head: number, noise: Float32Array | null) {
  const { length: l, sourceLength: s, features: e, valueFeatures: ev } = sizes;
  const weights = Array.from({ length: l }, (_, i) => {
    const row = Array.from({ length: s }, (_, j) => {
      let dot = 0;
      for (let p = 0; p < e; p++) dot += at(q, head, i, p) * at(k, head, j, p);
      return masks.reduce((total, mask) => total + at(mask, head, i, j), dot * scale);
    });
    const max = Math.max(...row);
    const exps = row.map((x) => Math.exp(x - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((x) => x / total);
  });
  // Dropout's noise multiplies the weights before ·v, and the weights' gradient after g·vᵀ.
  const keep = (i: number, j: number): number => (noise === null ? 1 : noise[(head * l + i) * s + j]!);
  const kept = weights.map((row, i) => row.map((w, j) => w * keep(i, j)));
  const output = kept.map((row) => Array.from({ length: ev }, (_, c) => row.reduce((total, w, j) => total + w * at(v, head, j, c), 0)));
  const gradWeights = weights.map((_, i) => Array.from({ length: s }, (_, j) => {
    let dot = 0;
    for (let c = 0; c < ev; c++) dot += at(g, head, i, c) * at(v, head, j, c);
    return dot * keep(i, j);
  }));
  const gradScores = weights.map((row, i) => {
    const dot = row.reduce((total, w, j) => total + w * gradWeights[i]![j]!, 0);
    return row.map((w, j) => scale * w * (gradWeights[i]![j]! - dot));
  });
  const dq = gradScores.map((row) => Array.from({ length: e }, (_, p) => row.reduce((total, d, j) => total + d * at(k, head, j, p), 0)));
  const dk = Array.from({ length: s }, (_, j) => Array.from({ length: e }, (_, p) => gradScores.reduce((total, row, i) => total + row[j]! * at(q, head, i, p), 0)));
  const dv = Array.from({ length: s }, (_, j) => Array.from({ length: ev }, (_, c) => kept.reduce((total, row, i) => total + row[j]! * at(g, head, i, c), 0)));
  return { weights, output, dq, dk, dv };
}

function expectClose(actual: Float32Array, start: number, expected: number[][]): void {
  const flat = expected.flat();
  const scale = Math.max(1e-3, ...flat.map(Math.abs));
  for (let index = 0; index < flat.length; index++) {
    expect(Math.abs(actual[start + index]! - flat[index]!) / scale).toBeLessThan(1e-4);
  }
}

interface Case {
  sizes: AttentionSizes;
  layouts: [Layout, Layout, Layout, Layout];
  masks: number;
  seed: number;
  /** Dropout's probability (0: none). */
  dropout?: number;
}

function runCase({ sizes, layouts, masks: maskCount, seed, dropout = 0 }: Case, threads: number) {
  setNumThreads(threads);
  const random = seededRandom(seed);
  const { heads, length: l, sourceLength: s, features: e, valueFeatures: ev } = sizes;
  const q = makeOperand(heads, l, e, layouts[0], random);
  const k = makeOperand(heads, s, e, layouts[1], random);
  const v = makeOperand(heads, s, ev, layouts[2], random);
  const g = makeOperand(heads, l, ev, layouts[3], random);
  // An [L, S] mask shared by every head (offsets all equal) and one row per head broadcast over L (a padding mask).
  const shared = makeOperand(1, l, s, 'rowMajor', random);
  const masks = [
    { ...shared, offsets: new Array<number>(heads).fill(shared.offsets[0]!) },
    makeOperand(heads, l, s, 'broadcastRows', random),
  ].slice(0, maskCount);
  const scale = 0.7;
  const noise = dropout === 0 ? null : Float32Array.from({ length: heads * l * s }, () => (random() < dropout ? 0 : 1 / (1 - dropout)));
  const output = new Float32Array(heads * l * ev);
  const weights = new Float32Array(heads * l * s);
  expect(attentionForwardWasm(sizes, q, k, v, masks, scale, output, weights, noise)).toBe(true);
  const [dq, dk, dv] = [l * e, s * e, s * ev].map((size) => new Float32Array(heads * size));
  expect(attentionBackwardWasm(sizes, g, q, k, v, weights, scale, dq!, dk!, dv!, noise)).toBe(true);
  return { q, k, v, g, masks, scale, noise, output, weights, dq: dq!, dk: dk!, dv: dv! };
}

describe('attention tasks (wasm)', () => {
  const cases: Case[] = [
    { sizes: { heads: 3, length: 5, sourceLength: 7, features: 3, valueFeatures: 6 }, layouts: ['rowMajor', 'rowMajor', 'rowMajor', 'rowMajor'], masks: 0, seed: 1 },
    { sizes: { heads: 4, length: 9, sourceLength: 13, features: 11, valueFeatures: 2 }, layouts: ['columnMajor', 'spaced', 'columnMajor', 'spaced'], masks: 1, seed: 2 },
    { sizes: { heads: 2, length: 1, sourceLength: 1, features: 1, valueFeatures: 1 }, layouts: ['spaced', 'columnMajor', 'rowMajor', 'columnMajor'], masks: 2, seed: 3 },
    { sizes: { heads: 2, length: 6, sourceLength: 4, features: 5, valueFeatures: 3 }, layouts: ['broadcastRows', 'rowMajor', 'broadcastRows', 'rowMajor'], masks: 2, seed: 4 },
    { sizes: { heads: 3, length: 7, sourceLength: 9, features: 4, valueFeatures: 5 }, layouts: ['rowMajor', 'columnMajor', 'spaced', 'rowMajor'], masks: 1, seed: 7, dropout: 0.3 },
    { sizes: { heads: 2, length: 5, sourceLength: 3, features: 2, valueFeatures: 6 }, layouts: ['spaced', 'rowMajor', 'rowMajor', 'columnMajor'], masks: 0, seed: 8, dropout: 0.5 },
  ];
  for (const testCase of cases) {
    it(`matches the formulas in float64: ${JSON.stringify(testCase.sizes)}, ${testCase.layouts.join('/')}, ${testCase.masks} masks, dropout ${testCase.dropout ?? 0}`, () => {
      const result = runCase(testCase, 1);
      const { length: l, sourceLength: s, features: e, valueFeatures: ev } = testCase.sizes;
      for (let head = 0; head < testCase.sizes.heads; head++) {
        const expected = reference(testCase.sizes, result.q, result.k, result.v, result.masks, result.scale, result.g, head, result.noise);
        expectClose(result.weights, head * l * s, expected.weights);
        expectClose(result.output, head * l * ev, expected.output);
        expectClose(result.dq, head * l * e, expected.dq);
        expectClose(result.dk, head * s * e, expected.dk);
        expectClose(result.dv, head * s * ev, expected.dv);
      }
    });
  }

  it('gives the same bits on one thread and on the pool, over several groups of heads', async () => {
    // 40 heads of 128×128 scores are two groups; every group is threaded.
    const testCase: Case = { sizes: { heads: 40, length: 128, sourceLength: 128, features: 32, valueFeatures: 32 }, layouts: ['spaced', 'rowMajor', 'columnMajor', 'rowMajor'], masks: 1, seed: 5, dropout: 0.1 };
    const previous = setThreadMinMultiplyAdds(0);
    try {
      const one = runCase(testCase, 1);
      const before = wasmGemmWorkerTasks();
      // Workers start asynchronously (and a busy machine wakes them late): calls until one joins.
      let two = runCase(testCase, 2);
      for (let attempt = 0; attempt < 50 && wasmGemmThreaded() && wasmGemmWorkerTasks() === before; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        two = runCase(testCase, 2);
      }
      if (wasmGemmThreaded()) expect(wasmGemmWorkerTasks()).toBeGreaterThan(before);
      for (const key of ['output', 'weights', 'dq', 'dk', 'dv'] as const) expect(two[key]).toEqual(one[key]);
      const expected = reference(testCase.sizes, one.q, one.k, one.v, one.masks, one.scale, one.g, 39, one.noise);
      expectClose(one.dk, 39 * 128 * 32, expected.dk);
    } finally {
      setThreadMinMultiplyAdds(previous);
    }
  });

  it('declines, writing nothing, operands that reach outside their arrays or empty sizes', () => {
    const random = seededRandom(6);
    const sizes: AttentionSizes = { heads: 2, length: 3, sourceLength: 3, features: 2, valueFeatures: 2 };
    const q = makeOperand(2, 3, 2, 'rowMajor', random);
    const outside = { ...q, offsets: [q.offsets[0]!, q.data.length - 2] };
    const output = new Float32Array(12).fill(7);
    const weights = new Float32Array(18).fill(7);
    expect(attentionForwardWasm(sizes, outside, q, q, [], 1, output, weights)).toBe(false);
    expect(attentionForwardWasm({ ...sizes, length: 0 }, q, q, q, [], 1, output, weights)).toBe(false);
    const [dq, dk, dv] = [12, 12, 12].map((size) => new Float32Array(size).fill(7));
    expect(attentionBackwardWasm(sizes, q, outside, q, q, weights, 1, dq!, dk!, dv!)).toBe(false);
    for (const array of [output, weights, dq!, dk!, dv!]) expect(array.every((value) => value === 7)).toBe(true);
  });
});
