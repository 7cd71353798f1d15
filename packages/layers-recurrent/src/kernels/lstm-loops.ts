/**
 * The LSTM cell's pointwise loops over rows of typed arrays, each row given
 * by an offset and a row stride (elements within a row are contiguous), so
 * one loop serves a single step's tensors (cells.ts) and a step inside the
 * whole-sequence buffers of lstm-sequence.ts without copies.
 *
 * Each loop exists twice with the same body: a float32 copy and a general
 * one (called with float64 arrays only). V8 keeps one set of type feedback per
 * function: a loop that has seen both kinds checks the array kind on every
 * access, while one that only ever sees Float32Array compiles to a tight
 * loop (the reason of `float32-loops.ts` in @strata/tensor). Functions made
 * by a factory would share one feedback vector and not help.
 *
 * The float32 forward computes exp and tanh with float32-math.ts (within
 * 5e-10 of Math's, at less than half the cost); the float64 one with Math's.
 *
 * Gate blocks follow PyTorch's order (i, f, g, o); `hidden` is H, `n` the rows.
 */

import { expForFloat32, tanhForFloat32 } from './float32-math.js';

/** Float32Array or Float64Array: the dtypes the recurrent layers compute in. */
export type FloatArray = Float32Array | Float64Array;

/**
 * One LSTM step forward, float32: `pre = x + r + bias` (rows of 4H), the
 * activated gates written to `gates` (which may be `r` itself, row for row),
 * `c = f · cPrevious + i · g`, `tanhC = tanh(c)` when `tanhC` is given, and `h = o · tanh(c)`.
 */
export function lstmForwardRowsFloat32(
  n: number, hidden: number,
  x: Float32Array, xAt: number, xRow: number,
  r: Float32Array, rAt: number, rRow: number,
  bias: Float32Array,
  cp: Float32Array, cpAt: number, cpRow: number,
  gates: Float32Array, gatesAt: number, gatesRow: number,
  c: Float32Array, cAt: number, cRow: number,
  tanhC: Float32Array | null, tanhCAt: number, tanhCRow: number,
  h: Float32Array, hAt: number, hRow: number,
): void {
  const h2 = 2 * hidden;
  const h3 = 3 * hidden;
  for (let row = 0; row < n; row++) {
    const xb = xAt + row * xRow;
    const rb = rAt + row * rRow;
    const gb = gatesAt + row * gatesRow;
    const cpb = cpAt + row * cpRow;
    const cb = cAt + row * cRow;
    const tb = tanhCAt + row * tanhCRow;
    const hb = hAt + row * hRow;
    for (let k = 0; k < hidden; k++) {
      const i = 1 / (1 + expForFloat32(-(x[xb + k]! + r[rb + k]! + bias[k]!)));
      const f = 1 / (1 + expForFloat32(-(x[xb + hidden + k]! + r[rb + hidden + k]! + bias[hidden + k]!)));
      const g = tanhForFloat32(x[xb + h2 + k]! + r[rb + h2 + k]! + bias[h2 + k]!);
      const o = 1 / (1 + expForFloat32(-(x[xb + h3 + k]! + r[rb + h3 + k]! + bias[h3 + k]!)));
      gates[gb + k] = i;
      gates[gb + hidden + k] = f;
      gates[gb + h2 + k] = g;
      gates[gb + h3 + k] = o;
      const cell = f * cp[cpb + k]! + i * g;
      c[cb + k] = cell;
      const t = tanhForFloat32(cell);
      if (tanhC !== null) tanhC[tb + k] = t;
      h[hb + k] = o * t;
    }
  }
}

/** {@link lstmForwardRowsFloat32} for float64 arrays (the same body; see the file's comment). */
export function lstmForwardRows(
  n: number, hidden: number,
  x: FloatArray, xAt: number, xRow: number,
  r: FloatArray, rAt: number, rRow: number,
  bias: FloatArray,
  cp: FloatArray, cpAt: number, cpRow: number,
  gates: FloatArray, gatesAt: number, gatesRow: number,
  c: FloatArray, cAt: number, cRow: number,
  tanhC: FloatArray | null, tanhCAt: number, tanhCRow: number,
  h: FloatArray, hAt: number, hRow: number,
): void {
  const h2 = 2 * hidden;
  const h3 = 3 * hidden;
  for (let row = 0; row < n; row++) {
    const xb = xAt + row * xRow;
    const rb = rAt + row * rRow;
    const gb = gatesAt + row * gatesRow;
    const cpb = cpAt + row * cpRow;
    const cb = cAt + row * cRow;
    const tb = tanhCAt + row * tanhCRow;
    const hb = hAt + row * hRow;
    for (let k = 0; k < hidden; k++) {
      const i = 1 / (1 + Math.exp(-(x[xb + k]! + r[rb + k]! + bias[k]!)));
      const f = 1 / (1 + Math.exp(-(x[xb + hidden + k]! + r[rb + hidden + k]! + bias[hidden + k]!)));
      const g = Math.tanh(x[xb + h2 + k]! + r[rb + h2 + k]! + bias[h2 + k]!);
      const o = 1 / (1 + Math.exp(-(x[xb + h3 + k]! + r[rb + h3 + k]! + bias[h3 + k]!)));
      gates[gb + k] = i;
      gates[gb + hidden + k] = f;
      gates[gb + h2 + k] = g;
      gates[gb + h3 + k] = o;
      const cell = f * cp[cpb + k]! + i * g;
      c[cb + k] = cell;
      const t = Math.tanh(cell);
      if (tanhC !== null) tanhC[tb + k] = t;
      h[hb + k] = o * t;
    }
  }
}

/**
 * One LSTM step backward, float32, from `dh` (the gradient of `h`), `dcNext`
 * (of `c`), the saved activated gates, `cPrevious` and `tanhC = tanh(c)`:
 * `dc = dcNext + dh · o · (1 − tanhC²)`, the pre-activation gradients
 * `dc · g · i(1 − i)`, `dc · cPrevious · f(1 − f)`, `dc · i · (1 − g²)`,
 * `dh · tanhC · o(1 − o)` into `dGates`, and `dcPrevious = dc · f` (which may
 * be `dcNext` itself, row for row).
 */
export function lstmBackwardRowsFloat32(
  n: number, hidden: number,
  dh: Float32Array, dhAt: number, dhRow: number,
  dcNext: Float32Array, dcAt: number, dcRow: number,
  gates: Float32Array, gatesAt: number, gatesRow: number,
  cp: Float32Array, cpAt: number, cpRow: number,
  tanhC: Float32Array, tanhCAt: number, tanhCRow: number,
  dGates: Float32Array, dGatesAt: number, dGatesRow: number,
  dcPrevious: Float32Array, dcPreviousAt: number, dcPreviousRow: number,
): void {
  const h2 = 2 * hidden;
  const h3 = 3 * hidden;
  for (let row = 0; row < n; row++) {
    const dhb = dhAt + row * dhRow;
    const dcb = dcAt + row * dcRow;
    const gb = gatesAt + row * gatesRow;
    const cpb = cpAt + row * cpRow;
    const tb = tanhCAt + row * tanhCRow;
    const db = dGatesAt + row * dGatesRow;
    const pb = dcPreviousAt + row * dcPreviousRow;
    for (let k = 0; k < hidden; k++) {
      const i = gates[gb + k]!;
      const f = gates[gb + hidden + k]!;
      const g = gates[gb + h2 + k]!;
      const o = gates[gb + h3 + k]!;
      const tc = tanhC[tb + k]!;
      const gradHidden = dh[dhb + k]!;
      const dc = dcNext[dcb + k]! + gradHidden * o * (1 - tc * tc);
      dGates[db + k] = dc * g * i * (1 - i);
      dGates[db + hidden + k] = dc * cp[cpb + k]! * f * (1 - f);
      dGates[db + h2 + k] = dc * i * (1 - g * g);
      dGates[db + h3 + k] = gradHidden * tc * o * (1 - o);
      dcPrevious[pb + k] = dc * f;
    }
  }
}

/** {@link lstmBackwardRowsFloat32} for float64 arrays (the same body; see the file's comment). */
export function lstmBackwardRows(
  n: number, hidden: number,
  dh: FloatArray, dhAt: number, dhRow: number,
  dcNext: FloatArray, dcAt: number, dcRow: number,
  gates: FloatArray, gatesAt: number, gatesRow: number,
  cp: FloatArray, cpAt: number, cpRow: number,
  tanhC: FloatArray, tanhCAt: number, tanhCRow: number,
  dGates: FloatArray, dGatesAt: number, dGatesRow: number,
  dcPrevious: FloatArray, dcPreviousAt: number, dcPreviousRow: number,
): void {
  const h2 = 2 * hidden;
  const h3 = 3 * hidden;
  for (let row = 0; row < n; row++) {
    const dhb = dhAt + row * dhRow;
    const dcb = dcAt + row * dcRow;
    const gb = gatesAt + row * gatesRow;
    const cpb = cpAt + row * cpRow;
    const tb = tanhCAt + row * tanhCRow;
    const db = dGatesAt + row * dGatesRow;
    const pb = dcPreviousAt + row * dcPreviousRow;
    for (let k = 0; k < hidden; k++) {
      const i = gates[gb + k]!;
      const f = gates[gb + hidden + k]!;
      const g = gates[gb + h2 + k]!;
      const o = gates[gb + h3 + k]!;
      const tc = tanhC[tb + k]!;
      const gradHidden = dh[dhb + k]!;
      const dc = dcNext[dcb + k]! + gradHidden * o * (1 - tc * tc);
      dGates[db + k] = dc * g * i * (1 - i);
      dGates[db + hidden + k] = dc * cp[cpb + k]! * f * (1 - f);
      dGates[db + h2 + k] = dc * i * (1 - g * g);
      dGates[db + h3 + k] = gradHidden * tc * o * (1 - o);
      dcPrevious[pb + k] = dc * f;
    }
  }
}
