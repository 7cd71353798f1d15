import { readFileSync } from 'node:fs';
import { Tensor } from '../../tensor.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateGemmModule, generatedPath } from '../../../scripts/build-wasm.mjs';
import { type Layout, type Operand, makeOperand, seededRandom } from '../../kernels/gemm-test-support.js';
import { gemmStrided } from '../../kernels/matmul.js';
import { backendOf, matmul, useBackend } from '../../index.js';
import { gemmWasm, wasmGemmAvailable, wasmGemmTakes } from './gemm-wasm.js';

/** What the wasm backend does with one product: its kernel where it takes the size, else the reference. */
function gemm(
  m: number, n: number, k: number,
  a: Float32Array, aOffset: number, aRowStride: number, aColStride: number,
  b: Float32Array, bOffset: number, bRowStride: number, bColStride: number,
  c: Float32Array, cOffset: number, accumulate: boolean,
): void {
  const onWasm = wasmGemmTakes(m, n, k)
    && gemmWasm(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, accumulate);
  if (!onWasm) gemmStrided(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, accumulate);
}

interface Case {
  m: number;
  n: number;
  k: number;
  aLayout?: Layout;
  bLayout?: Layout;
  accumulate?: boolean;
  seed?: number;
}

/** Runs the wasm backend's product, or the reference, on a fresh C with guard elements. */
function run(testCase: Case, a: Operand, b: Operand, initial: Float32Array, wasm: boolean): Float32Array {
  const c = initial.slice();
  (wasm ? gemm : gemmStrided)(
    testCase.m, testCase.n, testCase.k,
    a.data as Float32Array, a.offset, a.rowStride, a.columnStride,
    b.data as Float32Array, b.offset, b.rowStride, b.columnStride,
    c, GUARD, testCase.accumulate ?? false,
  );
  return c;
}

const GUARD = 5;

/**
 * Both kernels against a float64 triple loop. The wasm kernel sums in
 * float32, whose rounding errors grow like √k·u for random data; 1e-5·√k
 * (about 170·√k·u) relative to Σ|aᵢₚ·bₚⱼ| leaves room for unlucky sums.
 */
function checkBothPaths(testCase: Case): void {
  const { m, n, k, accumulate = false, seed = 1 } = testCase;
  const random = seededRandom(seed * 7919 + m * 131 + n * 17 + k);
  const a = makeOperand(m, k, testCase.aLayout ?? 'rowMajor', Float32Array, random);
  const b = makeOperand(k, n, testCase.bLayout ?? 'rowMajor', Float32Array, random);
  const initial = new Float32Array(GUARD + m * n + GUARD);
  for (let index = 0; index < initial.length; index++) initial[index] = random() * 2 - 1;
  const fromWasm = run(testCase, a, b, initial, true);
  const fromJs = run(testCase, a, b, initial, false);
  for (let index = 0; index < GUARD; index++) {
    expect(fromWasm[index]).toBe(initial[index]);
    expect(fromWasm[GUARD + m * n + index]).toBe(initial[GUARD + m * n + index]);
  }
  const tolerance = 1e-5 * Math.sqrt(k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const start = accumulate ? initial[GUARD + i * n + j]! : 0;
      let expected = start;
      let magnitude = Math.abs(start);
      for (let p = 0; p < k; p++) {
        const product = a.data[a.offset + i * a.rowStride + p * a.columnStride]!
          * b.data[b.offset + p * b.rowStride + j * b.columnStride]!;
        expected += product;
        magnitude += Math.abs(product);
      }
      for (const [path, result] of [['wasm', fromWasm], ['js', fromJs]] as const) {
        const actual = result[GUARD + i * n + j]!;
        if (!(Math.abs(actual - expected) <= tolerance * magnitude + 1e-30)) {
          expect.fail(`${path} C[${i}][${j}] of ${m}×${n}×${k}: got ${actual}, expected ${expected}`);
        }
      }
    }
  }
}

describe('WebAssembly gemm', () => {
  afterEach(() => useBackend(null));

  it('is generated from gemm.wat: the committed module matches scripts/build-wasm.mjs', async () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(await generateGemmModule());
  });

  it('compiles in this runtime and is the active gemm backend until the CPU one is chosen', () => {
    expect(wasmGemmAvailable()).toBe(true);
    expect(backendOf('gemm')).toBe('wasm');
    expect(backendOf('gemmAccelerated')).toBe('wasm');
    const a = Float32Array.from({ length: 64 * 64 }, (_, index) => Math.sin(index));
    const x = Tensor.fromData(a, [64, 64]);
    const onWasm = matmul(x, x).toTypedArray();
    useBackend('cpu');
    expect(backendOf('gemm')).toBe('cpu');
    const onCpu = matmul(x, x).toTypedArray();
    // float32 sums against float64 sums: close, not equal
    expect(onWasm).not.toEqual(onCpu);
    for (let index = 0; index < onCpu.length; index++) expect(onWasm[index]).toBeCloseTo(onCpu[index]!, 3);
  });

  it('registers nothing where WebAssembly is missing, so the CPU gemm stays active', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const fresh = await import('./gemm-wasm.js');
      const registry = await import('../../registry.js');
      const backend = await import('./wasm-backend.js');
      expect(fresh.wasmGemmAvailable()).toBe(false);
      backend.registerWasmBackend();
      expect(registry.kernelBackends('gemm')).not.toContain('wasm');
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it('declines operands that reach outside their arrays', () => {
    const data = new Float32Array(64).fill(1);
    const c = new Float32Array(64);
    expect(gemmWasm(8, 8, 8, data, 1, 8, 1, data, 0, 8, 1, c, 0, false)).toBe(false);
    expect(gemmWasm(8, 8, 8, data, 0, 8, 1, data, 6, -1, 8, c, 0, false)).toBe(false);
    expect(gemmWasm(8, 8, 8, data, 0, 8, 1, data, 0, 8, 1, c, 1, false)).toBe(false);
    expect(c.every((value) => value === 0)).toBe(true);
    expect(gemmWasm(8, 8, 8, data, 0, 8, 1, data, 0, 8, 1, c, 0, false)).toBe(true);
    expect(c.every((value) => value === 8)).toBe(true);
  });

  const edgeShapes: [number, number, number][] = [
    [16, 16, 16], [17, 9, 31], [4, 8, 128], [5, 7, 130], [31, 33, 35], [64, 64, 64], [129, 70, 257],
    [9, 2100, 300], [260, 20, 520], [100, 4, 100], [4, 100, 100],
  ];
  it.each(edgeShapes)('%i×%i×%i row-major, overwriting and accumulating', (m, n, k) => {
    checkBothPaths({ m, n, k });
    checkBothPaths({ m, n, k, accumulate: true, seed: 2 });
  });

  const layouts: Layout[] = ['rowMajor', 'columnMajor', 'spaced', 'reversed', 'broadcastRows', 'scattered'];
  for (const aLayout of layouts) {
    it(`A ${aLayout} with every B layout`, () => {
      for (const bLayout of layouts) {
        checkBothPaths({ m: 37, n: 41, k: 43, aLayout, bLayout, accumulate: bLayout === 'spaced' });
        checkBothPaths({ m: 12, n: 21, k: 300, aLayout, bLayout, accumulate: bLayout !== 'spaced', seed: 3 });
      }
    });
  }

  it('matches on random shapes and layouts', () => {
    const random = seededRandom(20251125);
    const pick = (limit: number): number => 1 + Math.floor(random() * limit);
    for (let round = 0; round < 40; round++) {
      checkBothPaths({
        m: 3 + pick(60), n: 3 + pick(60), k: pick(400),
        aLayout: layouts[Math.floor(random() * layouts.length)]!,
        bLayout: layouts[Math.floor(random() * layouts.length)]!,
        accumulate: random() < 0.5, seed: round,
      });
    }
  });

  it('reuses its memory when shapes shrink and grow between calls', () => {
    const shapes: [number, number, number][] = [[150, 140, 300], [16, 16, 16], [300, 260, 40], [33, 20, 90]];
    for (const [m, n, k] of [...shapes, ...shapes.reverse()]) checkBothPaths({ m, n, k, accumulate: (m & 1) === 1 });
  });

  it('gives a block of rows and columns the same bits as the whole product', () => {
    // What lets a batched convolution or Linear match its samples one at a time.
    const random = seededRandom(11);
    const m = 41, n = 53, k = 300;
    const a = Float32Array.from({ length: m * k }, () => random() * 2 - 1);
    const b = Float32Array.from({ length: k * n }, () => random() * 2 - 1);
    const whole = new Float32Array(m * n);
    gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, whole, 0, false);
    const rows = 9, columns = 13, firstRow = 7, firstColumn = 17;
    expect(wasmGemmTakes(rows, columns, k)).toBe(true);
    const block = new Float32Array(rows * columns);
    gemm(rows, columns, k, a, firstRow * k, k, 1, b, firstColumn, n, 1, block, 0, false);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < columns; j++) expect(block[i * columns + j]).toBe(whole[(firstRow + i) * n + firstColumn + j]);
    }
  });

  it('overwrites NaN in C and keeps infinities and NaN to exactly the affected entries', () => {
    const m = 19, n = 21, k = 23;
    const a = new Float32Array(m * k).fill(1);
    const b = new Float32Array(k * n).fill(1);
    a[17 * k + 3] = Number.POSITIVE_INFINITY; // row 17 of C becomes +∞ (in an edge tile)
    b[5 * n + 20] = Number.NaN; // column 20 of C becomes NaN (in an edge tile)
    const c = new Float32Array(m * n).fill(Number.NaN);
    gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, false);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const expected = j === 20 ? Number.NaN : i === 17 ? Number.POSITIVE_INFINITY : k;
        expect(c[i * n + j]).toBe(expected);
      }
    }
  });
});
