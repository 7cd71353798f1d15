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

/**
 * gates = xw + hw + bias → i, f, g, o; `c = f · cPrevious + i · g`; `h = o · tanh(c)`.
 * `xw` `[N, 4H]` (the input projection, its bias included), `hw` `[N, 4H]`, `bias` `[4H]` or null.
 */
export function lstmCellKernel(xw: Tensor, hw: Tensor, bias: Tensor | null, cPrevious: Tensor): LSTMCellStep {
  const x = xw.contiguousData();
  const r = hw.contiguousData();
  const b = bias === null ? null : bias.contiguousData();
  const cp = cPrevious.contiguousData();
  const [n, hidden] = cPrevious.shape as [number, number];
  const width = 4 * hidden;
  const gates = allocate(xw.dtype, n * width);
  const c = allocate(xw.dtype, n * hidden);
  const h = allocate(xw.dtype, n * hidden);
  for (let row = 0; row < n; row++) {
    const base = row * width;
    const state = row * hidden;
    for (let k = 0; k < hidden; k++) {
      const gi = base + k;
      const gf = gi + hidden;
      const gg = gf + hidden;
      const go = gg + hidden;
      const i = sigmoid(x[gi]! + r[gi]! + (b === null ? 0 : b[k]!));
      const f = sigmoid(x[gf]! + r[gf]! + (b === null ? 0 : b[k + hidden]!));
      const g = Math.tanh(x[gg]! + r[gg]! + (b === null ? 0 : b[k + 2 * hidden]!));
      const o = sigmoid(x[go]! + r[go]! + (b === null ? 0 : b[k + 3 * hidden]!));
      gates[gi] = i;
      gates[gf] = f;
      gates[gg] = g;
      gates[go] = o;
      const cell = f * cp[state + k]! + i * g;
      c[state + k] = cell;
      h[state + k] = o * Math.tanh(cell);
    }
  }
  return { gates: Tensor.fromData(gates, [n, width]), c: Tensor.fromData(c, [n, hidden]), h: Tensor.fromData(h, [n, hidden]) };
}

/**
 * The backward of {@link lstmCellKernel}: from the gradients of `h` (before
 * the projection) and of `c`, the gradient of the pre-activation gates and of `cPrevious`.
 * The cell state `c` is read from the saved step (not recomputed from the gates, which would round differently).
 */
export function lstmCellBackwardKernel(gradH: Tensor, gradC: Tensor, gates: Tensor, cPrevious: Tensor, c: Tensor): LSTMCellGradients {
  const dh = gradH.contiguousData();
  const dcNext = gradC.contiguousData();
  const a = gates.contiguousData();
  const cp = cPrevious.contiguousData();
  const cc = c.contiguousData();
  const [n, hidden] = cPrevious.shape as [number, number];
  const width = 4 * hidden;
  const dGates = allocate(gates.dtype, n * width);
  const dcPrevious = allocate(gates.dtype, n * hidden);
  for (let row = 0; row < n; row++) {
    const base = row * width;
    const state = row * hidden;
    for (let k = 0; k < hidden; k++) {
      const gi = base + k;
      const gf = gi + hidden;
      const gg = gf + hidden;
      const go = gg + hidden;
      const i = a[gi]!;
      const f = a[gf]!;
      const g = a[gg]!;
      const o = a[go]!;
      const tc = Math.tanh(cc[state + k]!);
      const gradHidden = dh[state + k]!;
      const dc = dcNext[state + k]! + gradHidden * o * (1 - tc * tc);
      dGates[gi] = dc * g * i * (1 - i);
      dGates[gf] = dc * cp[state + k]! * f * (1 - f);
      dGates[gg] = dc * i * (1 - g * g);
      dGates[go] = gradHidden * tc * o * (1 - o);
      dcPrevious[state + k] = dc * f;
    }
  }
  return { gates: Tensor.fromData(dGates, [n, width]), cPrevious: Tensor.fromData(dcPrevious, [n, hidden]) };
}

/**
 * r = σ(xw_r + hw_r + b_r), z = σ(xw_z + hw_z + b_z), n = tanh(xw_n + r · (hw_n + b_n)),
 * `h = (1 − z) · n + z · hPrevious`. `xw` `[N, 3H]` (its bias included), `hw` `[N, 3H]`, `bias` `[3H]` or null.
 */
export function gruCellKernel(xw: Tensor, hw: Tensor, bias: Tensor | null, hPrevious: Tensor): GRUCellStep {
  const x = xw.contiguousData();
  const r = hw.contiguousData();
  const b = bias === null ? null : bias.contiguousData();
  const hp = hPrevious.contiguousData();
  const [n, hidden] = hPrevious.shape as [number, number];
  const width = 3 * hidden;
  const saved = allocate(xw.dtype, n * 4 * hidden);
  const h = allocate(xw.dtype, n * hidden);
  for (let row = 0; row < n; row++) {
    const base = row * width;
    const out = row * 4 * hidden;
    const state = row * hidden;
    for (let k = 0; k < hidden; k++) {
      const reset = sigmoid(x[base + k]! + r[base + k]! + (b === null ? 0 : b[k]!));
      const update = sigmoid(x[base + hidden + k]! + r[base + hidden + k]! + (b === null ? 0 : b[hidden + k]!));
      const recurrent = r[base + 2 * hidden + k]! + (b === null ? 0 : b[2 * hidden + k]!);
      const candidate = Math.tanh(x[base + 2 * hidden + k]! + reset * recurrent);
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
  const x = xw.contiguousData();
  const r = hw.contiguousData();
  const b = bias === null ? null : bias.contiguousData();
  const [n, hidden] = hw.shape as [number, number];
  const h = allocate(xw.dtype, n * hidden);
  for (let row = 0; row < n; row++) {
    for (let k = 0, at = row * hidden; k < hidden; k++, at++) {
      const pre = x[at]! + r[at]! + (b === null ? 0 : b[k]!);
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
