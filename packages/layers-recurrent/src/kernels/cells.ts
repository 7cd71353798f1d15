/**
 * The pointwise part of one time step of each recurrent cell, forward and
 * backward, over typed arrays. The matrix products around them (the input
 * projection of the whole sequence, the recurrent product of each step) are
 * `matmul`s; these kernels fuse everything between two products into one
 * pass. No autograd in here. Shapes are checked by the callers; all tensors
 * share one float dtype. `N` is the batch, `H` the hidden size; gate blocks
 * follow PyTorch's order: LSTM (i, f, g, o), GRU (r, z, n).
 */
import { Tensor, allocate } from '@strata/tensor';
import { allocateForOverwrite } from '@strata/tensor/backend';
import { type FloatArray, lstmBackwardRows, lstmBackwardRowsFloat32, lstmForwardRows, lstmForwardRowsFloat32 } from './lstm-loops.js';

/** What one LSTM step returns. */
export interface LSTMCellStep {
  /** The activated gates i, f, g, o, `[N, 4H]` (kept for the backward step). */
  readonly gates: Tensor;
  /** The new cell state `[N, H]`. */
  readonly c: Tensor;
  /** `o · tanh(c)`, `[N, H]`: the new hidden state, before the projection if any. */
  readonly h: Tensor;
}

/** The gradients of one LSTM step. */
export interface LSTMCellGradients {
  /** The gradient of the pre-activation gates `[N, 4H]` (the same for both products and both biases). */
  readonly gates: Tensor;
  /** The gradient of the previous cell state `[N, H]`. */
  readonly cPrevious: Tensor;
}

/** What one GRU step returns. */
export interface GRUCellStep {
  /** r, z, n and the recurrent part of n's pre-activation (`hw_n + b_hn`), `[N, 4H]` (kept for the backward step). */
  readonly saved: Tensor;
  /** The new hidden state `[N, H]`. */
  readonly h: Tensor;
}

/** The gradients of one GRU step. */
export interface GRUCellGradients {
  /** The gradient of the input projection `[N, 3H]` (r, z, n). */
  readonly inputGates: Tensor;
  /** The gradient of the recurrent product `[N, 3H]` (r, z, n; differs from the input's in n). */
  readonly hiddenGates: Tensor;
  /** The direct part of the previous hidden state's gradient, `z · grad`, `[N, H]`. */
  readonly hPrevious: Tensor;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** A 2-D tensor as rows for the loops of lstm-loops.ts: its storage, where row 0 starts, and the row stride. */
export interface Rows {
  readonly data: FloatArray;
  readonly at: number;
  readonly row: number;
}

/** `tensor` [rows, columns] read in place when its columns are contiguous, else from a contiguous copy. */
export function rowsOf(tensor: Tensor): Rows {
  const columns = tensor.shape[1]!;
  if (tensor.strides[1] === 1 || columns <= 1) return { data: tensor.storage.data as FloatArray, at: tensor.offset, row: tensor.strides[0]! };
  return { data: tensor.contiguousData() as FloatArray, at: 0, row: columns };
}

/** The bias `[width]` as a contiguous array, zeros when there is none. */
export function biasArray(bias: Tensor | null, dtype: Tensor['dtype'], width: number): FloatArray {
  return (bias === null ? allocate(dtype, width) : bias.contiguousData()) as FloatArray;
}

/**
 * gates = xw + hw + bias → i, f, g, o; `c = f · cPrevious + i · g`; `h = o · tanh(c)`.
 * `xw` `[N, 4H]` (the input projection, its bias included), `hw` `[N, 4H]`, `bias` `[4H]` or null.
 */
export function lstmCellKernel(xw: Tensor, hw: Tensor, bias: Tensor | null, cPrevious: Tensor): LSTMCellStep {
  const [n, hidden] = cPrevious.shape as [number, number];
  const width = 4 * hidden;
  const dtype = xw.dtype;
  const gates = allocateForOverwrite(dtype, n * width) as FloatArray;
  const c = allocateForOverwrite(dtype, n * hidden) as FloatArray;
  const h = allocateForOverwrite(dtype, n * hidden) as FloatArray;
  const x = rowsOf(xw);
  const r = rowsOf(hw);
  const cp = rowsOf(cPrevious);
  const b = biasArray(bias, dtype, width);
  const forward = dtype === 'float32' ? lstmForwardRowsFloat32 : lstmForwardRows;
  (forward as typeof lstmForwardRows)(
    n, hidden, x.data, x.at, x.row, r.data, r.at, r.row, b, cp.data, cp.at, cp.row,
    gates, 0, width, c, 0, hidden, null, 0, 0, h, 0, hidden,
  );
  return { gates: Tensor.fromData(gates, [n, width]), c: Tensor.fromData(c, [n, hidden]), h: Tensor.fromData(h, [n, hidden]) };
}

/**
 * The backward of {@link lstmCellKernel}: from the gradients of `h` (before
 * the projection) and of `c`, the gradient of the pre-activation gates and of `cPrevious`.
 * The cell state `c` is read from the saved step (not recomputed from the gates, which would round differently).
 */
export function lstmCellBackwardKernel(gradH: Tensor, gradC: Tensor, gates: Tensor, cPrevious: Tensor, c: Tensor): LSTMCellGradients {
  const [n, hidden] = cPrevious.shape as [number, number];
  const width = 4 * hidden;
  const dtype = gates.dtype;
  const cell = rowsOf(c);
  const tanhC = allocateForOverwrite(dtype, n * hidden) as FloatArray;
  for (let row = 0; row < n; row++) {
    for (let k = 0; k < hidden; k++) tanhC[row * hidden + k] = Math.tanh(cell.data[cell.at + row * cell.row + k]!);
  }
  const dGates = allocateForOverwrite(dtype, n * width) as FloatArray;
  const dcPrevious = allocateForOverwrite(dtype, n * hidden) as FloatArray;
  const dh = rowsOf(gradH);
  const dc = rowsOf(gradC);
  const a = rowsOf(gates);
  const cp = rowsOf(cPrevious);
  const backward = dtype === 'float32' ? lstmBackwardRowsFloat32 : lstmBackwardRows;
  (backward as typeof lstmBackwardRows)(
    n, hidden, dh.data, dh.at, dh.row, dc.data, dc.at, dc.row, a.data, a.at, a.row, cp.data, cp.at, cp.row,
    tanhC, 0, hidden, dGates, 0, width, dcPrevious, 0, hidden,
  );
  return { gates: Tensor.fromData(dGates, [n, width]), cPrevious: Tensor.fromData(dcPrevious, [n, hidden]) };
}

/**
 * r = σ(xw_r + hw_r + b_r), z = σ(xw_z + hw_z + b_z), n = tanh(xw_n + r · (hw_n + b_n)),
 * `h = (1 − z) · n + z · hPrevious`. `xw` `[N, 3H]` (its bias included), `hw` `[N, 3H]`, `bias` `[3H]` or null.
 */
export function gruCellKernel(xw: Tensor, hw: Tensor, bias: Tensor | null, hPrevious: Tensor): GRUCellStep {
  // Rows read in place: a batch-first layer's steps of xw are strided views.
  const { data: x, at: xAt, row: xRow } = rowsOf(xw);
  const r = hw.contiguousData();
  const b = bias === null ? null : bias.contiguousData();
  const hp = hPrevious.contiguousData();
  const [n, hidden] = hPrevious.shape as [number, number];
  const width = 3 * hidden;
  const saved = allocateForOverwrite(xw.dtype, n * 4 * hidden);
  const h = allocateForOverwrite(xw.dtype, n * hidden);
  for (let row = 0; row < n; row++) {
    const base = row * width;
    const xBase = xAt + row * xRow;
    const out = row * 4 * hidden;
    const state = row * hidden;
    for (let k = 0; k < hidden; k++) {
      const reset = sigmoid(x[xBase + k]! + r[base + k]! + (b === null ? 0 : b[k]!));
      const update = sigmoid(x[xBase + hidden + k]! + r[base + hidden + k]! + (b === null ? 0 : b[hidden + k]!));
      const recurrent = r[base + 2 * hidden + k]! + (b === null ? 0 : b[2 * hidden + k]!);
      const candidate = Math.tanh(x[xBase + 2 * hidden + k]! + reset * recurrent);
      saved[out + k] = reset;
      saved[out + hidden + k] = update;
      saved[out + 2 * hidden + k] = candidate;
      saved[out + 3 * hidden + k] = recurrent;
      h[state + k] = (1 - update) * candidate + update * hp[state + k]!;
    }
  }
  return { saved: Tensor.fromData(saved, [n, 4 * hidden]), h: Tensor.fromData(h, [n, hidden]) };
}

/** The backward of {@link gruCellKernel}, from the gradient of its `h`. */
export function gruCellBackwardKernel(gradH: Tensor, saved: Tensor, hPrevious: Tensor): GRUCellGradients {
  const dh = gradH.contiguousData();
  const s = saved.contiguousData();
  const hp = hPrevious.contiguousData();
  const [n, hidden] = hPrevious.shape as [number, number];
  const width = 3 * hidden;
  const dInput = allocate(saved.dtype, n * width);
  const dHidden = allocate(saved.dtype, n * width);
  const dPrevious = allocate(saved.dtype, n * hidden);
  for (let row = 0; row < n; row++) {
    const base = row * width;
    const stored = row * 4 * hidden;
    const state = row * hidden;
    for (let k = 0; k < hidden; k++) {
      const reset = s[stored + k]!;
      const update = s[stored + hidden + k]!;
      const candidate = s[stored + 2 * hidden + k]!;
      const recurrent = s[stored + 3 * hidden + k]!;
      const grad = dh[state + k]!;
      const dCandidate = grad * (1 - update) * (1 - candidate * candidate);
      const dUpdate = grad * (hp[state + k]! - candidate) * update * (1 - update);
      const dReset = dCandidate * recurrent * reset * (1 - reset);
      dInput[base + k] = dReset;
      dInput[base + hidden + k] = dUpdate;
      dInput[base + 2 * hidden + k] = dCandidate;
      dHidden[base + k] = dReset;
      dHidden[base + hidden + k] = dUpdate;
      dHidden[base + 2 * hidden + k] = dCandidate * reset;
      dPrevious[state + k] = grad * update;
    }
  }
  return {
    inputGates: Tensor.fromData(dInput, [n, width]),
    hiddenGates: Tensor.fromData(dHidden, [n, width]),
    hPrevious: Tensor.fromData(dPrevious, [n, hidden]),
  };
}

/** `h = tanh(xw + hw + bias)` (or `relu`). `xw`, `hw` `[N, H]`, `bias` `[H]` or null. */
export function rnnCellKernel(xw: Tensor, hw: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  // Rows read in place: a batch-first layer's steps of xw are strided views.
  const { data: x, at: xAt, row: xRow } = rowsOf(xw);
  const r = hw.contiguousData();
  const b = bias === null ? null : bias.contiguousData();
  const [n, hidden] = hw.shape as [number, number];
  const h = allocateForOverwrite(xw.dtype, n * hidden);
  for (let row = 0; row < n; row++) {
    const xBase = xAt + row * xRow;
    for (let k = 0, at = row * hidden; k < hidden; k++, at++) {
      const pre = x[xBase + k]! + r[at]! + (b === null ? 0 : b[k]!);
      h[at] = relu ? (pre > 0 ? pre : 0) : Math.tanh(pre);
    }
  }
  return Tensor.fromData(h, [n, hidden]);
}

/** The backward of {@link rnnCellKernel}: the gradient of the pre-activation from the gradient and the value of `h`. */
export function rnnCellBackwardKernel(gradH: Tensor, h: Tensor, relu: boolean): Tensor {
  const dh = gradH.contiguousData();
  const value = h.contiguousData();
  const gradient = allocate(h.dtype, value.length);
  for (let at = 0; at < value.length; at++) {
    const y = value[at]!;
    gradient[at] = relu ? (y > 0 ? dh[at]! : 0) : dh[at]! * (1 - y * y);
  }
  return Tensor.fromData(gradient, h.shape);
}
