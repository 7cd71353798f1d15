import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { type Layout, type Operand, makeOperand, seededRandom } from './gemm-test-support.js';
import { gemmStrided } from './matmul.js';

type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

function element(operand: Operand, row: number, column: number): number {
  return operand.data[operand.offset + row * operand.rowStride + column * operand.columnStride]!;
}

interface Case {
  m: number;
  n: number;
  k: number;
  aLayout?: Layout;
  bLayout?: Layout;
  accumulate?: boolean;
  aType?: FloatArrayConstructor;
  bType?: FloatArrayConstructor;
  cType?: FloatArrayConstructor;
  seed?: number;
}

/**
 * Runs `gemm` and compares every element against a float64 triple loop,
 * including guard elements around C that must stay untouched.
 */
function checkAgainstReference(testCase: Case): void {
  const { m, n, k, accumulate = false, seed = 1 } = testCase;
  const aType = testCase.aType ?? Float32Array;
  const bType = testCase.bType ?? aType;
  const cType = testCase.cType ?? aType;
  const random = seededRandom(seed * 7919 + m * 131 + n * 17 + k);
  const a = makeOperand<Float32Array | Float64Array>(m, k, testCase.aLayout ?? 'rowMajor', aType, random);
  const b = makeOperand<Float32Array | Float64Array>(k, n, testCase.bLayout ?? 'rowMajor', bType, random);
  const guard = 5;
  const c = new cType(guard + m * n + guard);
  for (let index = 0; index < c.length; index++) c[index] = random() * 2 - 1;
  const before = Float64Array.from(c);

  gemmStrided(
    m, n, k,
    a.data, a.offset, a.rowStride, a.columnStride,
    b.data, b.offset, b.rowStride, b.columnStride,
    c, guard,
    accumulate,
  );

  // float32 storage rounds once per stored sum; the kernel sums in doubles.
  const unitRoundoff = cType === Float32Array ? 2 ** -24 : 2 ** -53;
  for (let index = 0; index < guard; index++) {
    expect(c[index]).toBe(before[index]);
    expect(c[guard + m * n + index]).toBe(before[guard + m * n + index]);
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const initial = accumulate ? before[guard + i * n + j]! : 0;
      let expected = initial;
      let magnitude = Math.abs(initial);
      for (let p = 0; p < k; p++) {
        const product = element(a, i, p) * element(b, p, j);
        expected += product;
        magnitude += Math.abs(product);
      }
      const tolerance = 8 * (k + 2) * unitRoundoff * magnitude + 1e-300;
      const actual = c[guard + i * n + j]!;
      if (!(Math.abs(actual - expected) <= tolerance)) {
        expect.fail(`C[${i}][${j}] of ${m}×${n}×${k}: got ${actual}, expected ${expected} ± ${tolerance}`);
      }
    }
  }
}

const namedShapes: [number, number, number][] = [
  [1, 1, 1], [1, 1, 7], [1, 9, 1], [9, 1, 1], [1, 5, 3], [5, 1, 3], [4, 4, 4], [4, 4, 1],
  [7, 13, 5], [13, 7, 5], [3, 17, 11], [17, 3, 11], [10, 10, 10], [11, 12, 13], [16, 16, 16],
  [33, 31, 29], [64, 64, 64], [97, 5, 9], [96, 96, 257], [130, 67, 300], [67, 130, 300],
  [5, 2100, 3], [200, 9, 513],
];

describe('gemm', () => {
  describe.each([
    ['float32', Float32Array],
    ['float64', Float64Array],
  ] as const)('%s, row-major', (_name, ArrayType) => {
    it.each(namedShapes)('%i×%i×%i overwrites C', (m, n, k) => {
      checkAgainstReference({ m, n, k, aType: ArrayType });
    });
    it.each(namedShapes)('%i×%i×%i accumulates into C', (m, n, k) => {
      checkAgainstReference({ m, n, k, aType: ArrayType, accumulate: true });
    });
  });

  describe.each([
    ['float32', Float32Array],
    ['float64', Float64Array],
  ] as const)('%s, strided and transposed views', (_name, ArrayType) => {
    const layouts: Layout[] = ['rowMajor', 'columnMajor', 'spaced', 'reversed'];
    for (const aLayout of layouts) {
      for (const bLayout of layouts) {
        it(`A ${aLayout}, B ${bLayout}`, () => {
          for (const [m, n, k] of [[7, 13, 5], [37, 41, 43], [130, 67, 300]] as const) {
            checkAgainstReference({ m, n, k, aLayout, bLayout, aType: ArrayType, accumulate: (m & 1) === 0 });
            checkAgainstReference({ m, n, k, aLayout, bLayout, aType: ArrayType, accumulate: (m & 1) === 1 });
          }
        });
      }
    }
    it('broadcast rows (stride 0) in A and B', () => {
      checkAgainstReference({ m: 20, n: 24, k: 28, aLayout: 'broadcastRows', aType: ArrayType });
      checkAgainstReference({ m: 20, n: 24, k: 28, bLayout: 'broadcastRows', aType: ArrayType });
      checkAgainstReference({ m: 3, n: 2, k: 5, aLayout: 'broadcastRows', bLayout: 'broadcastRows', aType: ArrayType });
    });
  });

  it('mixes float32 and float64 operands', () => {
    checkAgainstReference({ m: 19, n: 23, k: 29, aType: Float32Array, bType: Float64Array, cType: Float64Array });
    checkAgainstReference({ m: 19, n: 23, k: 29, aType: Float64Array, bType: Float32Array, cType: Float32Array });
    checkAgainstReference({ m: 2, n: 3, k: 4, aType: Float64Array, bType: Float32Array, cType: Float64Array });
  });

  it('reuses its scratch correctly when shapes shrink and grow between calls', () => {
    const shapes: [number, number, number][] = [[150, 140, 300], [5, 6, 7], [33, 20, 9], [130, 67, 300], [8, 8, 8]];
    for (const [m, n, k] of [...shapes, ...shapes.reverse()]) checkAgainstReference({ m, n, k });
  });

  it('k = 0 zeroes C when overwriting and leaves it when accumulating', () => {
    const c = new Float32Array([9, 1, 2, 3, 4, 9]);
    gemmStrided(2, 2, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 2, 1, c, 1, true);
    expect(Array.from(c)).toEqual([9, 1, 2, 3, 4, 9]);
    gemmStrided(2, 2, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 2, 1, c, 1, false);
    expect(Array.from(c)).toEqual([9, 0, 0, 0, 0, 9]);
  });

  it('does nothing for an empty C', () => {
    const c = new Float64Array([5, 5]);
    gemmStrided(0, 2, 3, new Float64Array(6), 0, 3, 1, new Float64Array(6), 0, 2, 1, c, 0, false);
    gemmStrided(2, 0, 3, new Float64Array(6), 0, 3, 1, new Float64Array(6), 0, 0, 1, c, 0, false);
    expect(Array.from(c)).toEqual([5, 5]);
  });

  it('overwrites NaN in C rather than adding to it', () => {
    for (const [m, n, k] of [[2, 2, 2], [40, 40, 40]] as const) {
      const a = new Float64Array(m * k).fill(1);
      const b = new Float64Array(k * n).fill(2);
      const c = new Float64Array(m * n).fill(Number.NaN);
      gemmStrided(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, false);
      expect(c.every((value) => value === 2 * k)).toBe(true);
    }
  });

  it('propagates infinities and NaN from the inputs to exactly the affected entries', () => {
    const m = 9, n = 10, k = 11;
    const a = new Float32Array(m * k).fill(1);
    const b = new Float32Array(k * n).fill(1);
    a[2 * k + 3] = Number.POSITIVE_INFINITY; // row 2 of C becomes +∞
    b[5 * n + 7] = Number.NaN; // column 7 of C becomes NaN
    const c = new Float32Array(m * n);
    gemmStrided(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, false);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const expected = j === 7 ? Number.NaN : i === 2 ? Number.POSITIVE_INFINITY : k;
        expect(c[i * n + j]).toBe(expected);
      }
    }
  });

  it('matches the reference on random shapes, layouts and dtypes', () => {
    const layout = fc.constantFrom<Layout>('rowMajor', 'columnMajor', 'spaced', 'reversed');
    const arrayType = fc.constantFrom<FloatArrayConstructor>(Float32Array, Float64Array);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 300 }),
        layout, layout, arrayType, fc.boolean(), fc.integer({ min: 1, max: 1000 }),
        (m, n, k, aLayout, bLayout, aType, accumulate, seed) => {
          checkAgainstReference({ m, n, k, aLayout, bLayout, aType, accumulate, seed });
        },
      ),
      { numRuns: 150, seed: 20240607 },
    );
  });
});
