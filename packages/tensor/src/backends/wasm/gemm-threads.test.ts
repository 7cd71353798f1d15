import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../kernels/gemm-test-support.js';
import { getNumThreads, setNumThreads } from '../../threads/num-threads.js';
import { gemmWasmBatched, wasmGemmThreaded, wasmGemmWorkerTasks } from './gemm-wasm.js';
import { MAX_TASKS } from './task-pool.js';
import { THREAD_MIN_MULTIPLY_ADDS, planGemm, setThreadMinMultiplyAdds } from './gemm-plan.js';
import { pipelinedProducts, setPipelinePieceRows } from './gemm-pipelined.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

/** One operand's layout: element [i][p] of product `batch` at offsets[batch] + i*rowStride + p*colStride. */
interface Operand {
  data: Float32Array;
  offsets: number[];
  rowStride: number;
  colStride: number;
}

type Layout = 'rowMajor' | 'columnMajor' | 'spaced';

function makeOperand(rows: number, columns: number, batches: number, layout: Layout, broadcast: boolean, random: () => number): Operand {
  const rowStride = layout === 'rowMajor' ? columns : layout === 'columnMajor' ? 1 : columns + 3;
  const colStride = layout === 'columnMajor' ? rows : 1;
  const size = layout === 'spaced' ? rows * (columns + 3) : rows * columns;
  const count = broadcast ? 1 : batches;
  const lead = 5;
  const data = Float32Array.from({ length: lead + count * size }, () => random() * 2 - 1);
  const offsets = Array.from({ length: batches }, (_, batch) => lead + (broadcast ? 0 : batch * size));
  return { data, offsets, rowStride, colStride };
}

interface Product {
  m: number;
  n: number;
  k: number;
  batches: number;
  a: Operand;
  b: Operand;
  initial: Float32Array;
  accumulate: boolean;
}

function multiply(product: Product, threads: number): Float32Array {
  setNumThreads(threads);
  const { m, n, k, a, b } = product;
  const c = product.initial.slice();
  const done = gemmWasmBatched(
    m, n, k, a.data, a.offsets, a.rowStride, a.colStride, b.data, b.offsets, b.rowStride, b.colStride, c, 3, product.accumulate,
  );
  expect(done).toBe(product.batches);
  return c;
}

/** A float64 sum of some entries, within float32 summation error of the wasm result. */
function checkAgainstFloat64(product: Product, c: Float32Array, random: () => number): void {
  const { m, n, k, a, b } = product;
  for (let sample = 0; sample < 40; sample++) {
    const batch = Math.floor(random() * product.batches);
    const i = Math.floor(random() * m);
    const j = Math.floor(random() * n);
    const index = 3 + batch * m * n + i * n + j;
    let expected = product.accumulate ? product.initial[index]! : 0;
    let magnitude = Math.abs(expected);
    for (let p = 0; p < k; p++) {
      const term = a.data[a.offsets[batch]! + i * a.rowStride + p * a.colStride]!
        * b.data[b.offsets[batch]! + p * b.rowStride + j * b.colStride]!;
      expected += term;
      magnitude += Math.abs(term);
    }
    expect(Math.abs(c[index]! - expected)).toBeLessThanOrEqual(1e-5 * Math.sqrt(k) * magnitude + 1e-30);
  }
}

describe('threaded WebAssembly gemm', () => {
  it('runs on the worker pool in Node', () => {
    expect(wasmGemmThreaded()).toBe(true);
  });

  it('gives the same bits on 1, 2, 3 and 4 threads, on random shapes, strides and batches (property)', () => {
    // Every product threaded, however small (the default keeps small ones on the calling thread).
    const previousThreshold = setThreadMinMultiplyAdds(0);
    try {
      const layout = fc.constantFrom<Layout>('rowMajor', 'columnMajor', 'spaced');
      fc.assert(
        fc.property(
          fc.record({
            m: fc.integer({ min: 1, max: 160 }), n: fc.integer({ min: 1, max: 160 }), k: fc.integer({ min: 1, max: 300 }),
            batches: fc.integer({ min: 1, max: 10 }), aLayout: layout, bLayout: layout,
            broadcastA: fc.boolean(), broadcastB: fc.boolean(), accumulate: fc.boolean(), seed: fc.integer(),
          }),
          (drawn) => {
            const random = seededRandom(drawn.seed);
            const { m, n, k, batches } = drawn;
            const product: Product = {
              m, n, k, batches, accumulate: drawn.accumulate,
              a: makeOperand(m, k, batches, drawn.aLayout, drawn.broadcastA, random),
              b: makeOperand(k, n, batches, drawn.bLayout, drawn.broadcastB, random),
              initial: Float32Array.from({ length: 3 + batches * m * n + 3 }, () => random() * 2 - 1),
            };
            const single = multiply(product, 1);
            checkAgainstFloat64(product, single, random);
            expect(single.subarray(0, 3)).toEqual(product.initial.subarray(0, 3));
            expect(single.subarray(3 + batches * m * n)).toEqual(product.initial.subarray(3 + batches * m * n));
            for (const threads of [2, 3, 4]) expect(multiply(product, threads)).toEqual(single);
          },
        ),
        { numRuns: 25, seed: 20261206 },
      );
    } finally {
      setThreadMinMultiplyAdds(previousThreshold);
    }
  });

  it('gives one thread\'s bits when a product runs in pieces of rows, its copies overlapping its compute (property)', () => {
    const previousThreshold = setThreadMinMultiplyAdds(0);
    const previousRows = setPipelinePieceRows(8);
    const piped = pipelinedProducts();
    try {
      fc.assert(
        fc.property(
          fc.record({
            m: fc.integer({ min: 16, max: 90 }), n: fc.integer({ min: 1, max: 70 }), k: fc.integer({ min: 1, max: 600 }),
            aLayout: fc.constantFrom<Layout>('rowMajor', 'spaced'), bLayout: fc.constantFrom<Layout>('rowMajor', 'columnMajor', 'spaced'),
            accumulate: fc.boolean(), seed: fc.integer(),
          }),
          (drawn) => {
            const random = seededRandom(drawn.seed);
            const { m, n, k } = drawn;
            const product: Product = {
              m, n, k, batches: 1, accumulate: drawn.accumulate,
              a: makeOperand(m, k, 1, drawn.aLayout, false, random),
              b: makeOperand(k, n, 1, drawn.bLayout, false, random),
              initial: Float32Array.from({ length: 3 + m * n + 3 }, () => random() * 2 - 1),
            };
            const single = multiply(product, 1);
            checkAgainstFloat64(product, single, random);
            for (const threads of [2, 3]) expect(multiply(product, threads)).toEqual(single);
          },
        ),
        { numRuns: 25, seed: 20261207 },
      );
    } finally {
      setPipelinePieceRows(previousRows);
      setThreadMinMultiplyAdds(previousThreshold);
    }
    // Two or three thread counts a product, 25 products: most of them in pieces.
    expect(pipelinedProducts() - piped).toBeGreaterThanOrEqual(25);
  });

  it('has the workers run tasks of a big product, with the same bits as one thread', async () => {
    const random = seededRandom(7);
    const size = 384;
    const product: Product = {
      m: size, n: size, k: size, batches: 1, accumulate: false,
      a: makeOperand(size, size, 1, 'rowMajor', false, random),
      b: makeOperand(size, size, 1, 'rowMajor', false, random),
      initial: new Float32Array(3 + size * size + 3),
    };
    const single = multiply(product, 1);
    const before = wasmGemmWorkerTasks();
    // Workers start asynchronously: give them a moment, then a few products to join.
    multiply(product, 2);
    for (let attempt = 0; attempt < 50 && wasmGemmWorkerTasks() === before; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(multiply(product, 2)).toEqual(single);
    }
    expect(wasmGemmWorkerTasks()).toBeGreaterThan(before);
  });
});

describe('WebAssembly gemm without SharedArrayBuffer', () => {
  it('runs the module over an unshared memory, on one thread, with the same bits', async () => {
    const random = seededRandom(3);
    const product: Product = {
      m: 150, n: 130, k: 270, batches: 3, accumulate: true,
      a: makeOperand(150, 270, 3, 'rowMajor', false, random),
      b: makeOperand(270, 130, 3, 'columnMajor', true, random),
      initial: Float32Array.from({ length: 3 + 3 * 150 * 130 + 3 }, () => random() * 2 - 1),
    };
    const threaded = multiply(product, 2);
    vi.resetModules();
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      const fresh = await import('./gemm-wasm.js');
      expect(fresh.wasmGemmAvailable()).toBe(true);
      expect(fresh.wasmGemmThreaded()).toBe(false);
      const { m, n, k, a, b } = product;
      const c = product.initial.slice();
      expect(fresh.gemmWasmBatched(m, n, k, a.data, a.offsets, a.rowStride, a.colStride, b.data, b.offsets, b.rowStride, b.colStride, c, 3, true)).toBe(3);
      expect(c).toEqual(threaded);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});

describe('planGemm', () => {
  it('keeps small products and single threads on the calling thread', () => {
    expect(planGemm(64, 64, 64, 1, 1, 3)).toMatchObject({ mode: 'batch', workers: 0, batchTasks: 1 });
    expect(planGemm(1024, 1024, 1024, 1, 1, 0)).toMatchObject({ mode: 'batch', workers: 0, batchTasks: 1 });
    expect(64 * 64 * 64).toBeLessThan(THREAD_MIN_MULTIPLY_ADDS);
  });

  it('shares out many products whole and splits few into tiles that cover C', () => {
    expect(planGemm(64, 64, 64, 100, 100, 1)).toMatchObject({ mode: 'batch', workers: 1, batchesPerTask: 13, batchTasks: 8 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }),
        (m, n, k, batches, workers) => {
          const plan = planGemm(m, n, k, batches, batches, workers);
          if (plan.mode === 'batch') {
            expect(plan.batchesPerTask * plan.batchTasks).toBeGreaterThanOrEqual(batches);
            expect(plan.batchTasks).toBeLessThanOrEqual(MAX_TASKS);
            return;
          }
          expect(plan.tileRows % 4).toBe(0);
          expect(plan.tileColumns % 8).toBe(0);
          expect(plan.packColumns % 8).toBe(0);
          expect(plan.tileRows).toBeLessThanOrEqual(128);
          expect(plan.rowTiles).toBe(Math.ceil(m / plan.tileRows));
          expect(plan.columnTiles).toBe(Math.ceil(n / plan.tileColumns));
          expect(plan.tileTasks).toBe(batches * plan.rowTiles * plan.columnTiles);
          expect(plan.packTasks).toBe(batches * Math.ceil(k / 256) * Math.ceil(n / plan.packColumns));
          expect(plan.tileTasks).toBeLessThanOrEqual(MAX_TASKS);
        },
      ),
      { numRuns: 300 },
    );
  });
});
