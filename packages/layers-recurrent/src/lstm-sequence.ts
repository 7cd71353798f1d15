/**
 * The LSTM recurrence over whole-sequence buffers: the path `lstmRecurrence`
 * takes when the CPU loops of kernels/cells.ts are the active `lstmCell`
 * and `lstmCellBackward` (no backend replaced them) and there is no projection.
 *
 * Why a second path: stepping through the registered kernels allocates and
 * returns three tensors per step forward and two backward, copies strided
 * steps of the input and of the output's gradient to contiguous ones, adds
 * `dh + gradOutput_t` with an elementwise op, and stacks the steps at the
 * end (the gates' gradient alone is [L, N, 4H]). Here each sequence buffer
 * is allocated once and written whole: the step's recurrent product goes
 * straight into its rows of the gates buffer (the loop then activates them
 * in place), h into its rows of the output, the gate gradients into theirs,
 * and the running gradients of h and c stay in two [N, H] arrays. The
 * loops are the same as the registered kernels' (kernels/lstm-loops.ts),
 * so both paths give the same numbers.
 *
 * The output and the gates' gradient follow the layout of `xw`: when its
 * steps are strided views of batch-major rows (a batch-first layer), they
 * are stored batch-major too, [N, L, ·] seen as [L, N, ·], so the caller's
 * transposes and reshapes around them are views, not copies.
 */
import { Storage, Tensor, getKernel } from '@strata/tensor';
import { allocateForOverwrite } from '@strata/tensor/backend';
import { biasArray, rowsOf } from './kernels/cells.js';
import {
  type FloatArray,
  lstmBackwardRows,
  lstmBackwardRowsFloat32,
  lstmForwardRows,
  lstmForwardRowsFloat32,
} from './kernels/lstm-loops.js';

/** What the forward keeps for the backward: every step's rows in one buffer each, time-major. */
export interface LSTMSequence {
  readonly length: number;
  readonly batch: number;
  readonly hidden: number;
  /** Whether the pass ran from the last step to the first. */
  readonly reverse: boolean;
  readonly h0: Tensor;
  readonly c0: Tensor;
  /** The activated gates i, f, g, o of every step, [L, N, 4H]. */
  readonly gates: FloatArray;
  /** The cell state after every step, [L, N, H]. */
  readonly c: FloatArray;
  /** tanh of it, [L, N, H] (saved so that the backward needs no tanh). */
  readonly tanhC: FloatArray;
  /** The output, h after every step, [L, N, H] (stored batch-major when `xw` was). */
  readonly output: Tensor;
  /** Whether `output` (and the gates' gradient) are stored [N, L, ·]. */
  readonly batchMajor: boolean;
  /** A copy of `output` in the same layout (for the caller, whose in-place changes must not reach the saved states). */
  outputCopy(): Tensor;
  /** Step `t`'s cell state, [N, H] (a view). */
  cell(t: number): Tensor;
  /** Step `t`'s activated gates, [N, 4H] (a view). */
  gatesAt(t: number): Tensor;
}

/** A [rows, columns] tensor over `data` from `offset`, `rowStride` apart (a step's rows of a sequence buffer). */
function view(data: FloatArray, offset: number, rows: number, columns: number, rowStride = columns): Tensor {
  return new Tensor(new Storage(data), [rows, columns], [rowStride, 1], offset);
}

/** Where step `t` starts and its rows' stride in a [L, N, width] buffer stored time-major or batch-major. */
function stepLayout(batchMajor: boolean, length: number, batch: number, width: number, t: number): [number, number] {
  return batchMajor ? [t * width, length * width] : [t * batch * width, width];
}

/** A sequence buffer as an [L, N, width] tensor (a transposed view of [N, L, width] when batch-major). */
function sequenceTensor(data: FloatArray, batchMajor: boolean, length: number, batch: number, width: number): Tensor {
  const strides = batchMajor ? [width, length * width, 1] : [batch * width, width, 1];
  return new Tensor(new Storage(data), [length, batch, width], strides, 0);
}

/** A contiguous copy of `tensor` in a new array (the running gradients are written in place). */
function copyOf(tensor: Tensor): FloatArray {
  const copy = allocateForOverwrite(tensor.dtype, tensor.numel()) as FloatArray;
  copy.set(tensor.contiguousData() as FloatArray);
  return copy;
}

/**
 * Runs the recurrence forward: xw [L, N, 4H] (any strides with contiguous
 * rows, or copied), h0, c0 [N, H], `recurrentT` = W_hhᵀ [H, 4H] contiguous,
 * b_hh [4H] or null.
 */
export function lstmSequenceForward(
  xw: Tensor, h0: Tensor, c0: Tensor, recurrentT: Tensor, biasHH: Tensor | null, reverse: boolean,
): LSTMSequence {
  const [length, batch, width] = xw.shape as [number, number, number];
  const hidden = width / 4;
  const dtype = xw.dtype;
  const stepGates = batch * width;
  const stepState = batch * hidden;
  const gates = allocateForOverwrite(dtype, length * stepGates) as FloatArray;
  const c = allocateForOverwrite(dtype, length * stepState) as FloatArray;
  const tanhC = allocateForOverwrite(dtype, length * stepState) as FloatArray;
  const output = allocateForOverwrite(dtype, length * stepState) as FloatArray;
  const bias = biasArray(biasHH, dtype, width);
  const gemm = getKernel('gemm');
  const forward = (dtype === 'float32' ? lstmForwardRowsFloat32 : lstmForwardRows) as typeof lstmForwardRows;
  const x = xw.strides[2] === 1 || width <= 1 ? xw : xw.contiguous();
  const xData = x.storage.data as FloatArray;
  const batchMajor = length > 1 && batch > 1 && x.strides[1]! > x.strides[0]!;
  let h = h0;
  let cp = rowsOf(c0);
  for (let s = 0; s < length; s++) {
    const t = reverse ? length - 1 - s : s;
    const gatesAt = t * stepGates;
    gemm(h, recurrentT, { out: view(gates, gatesAt, batch, width) });
    const stateAt = t * stepState;
    const [outAt, outRow] = stepLayout(batchMajor, length, batch, hidden, t);
    forward(
      batch, hidden,
      xData, x.offset + t * x.strides[0]!, x.strides[1]!,
      gates, gatesAt, width,
      bias,
      cp.data, cp.at, cp.row,
      gates, gatesAt, width,
      c, stateAt, hidden,
      tanhC, stateAt, hidden,
      output, outAt, outRow,
    );
    h = view(output, outAt, batch, hidden, outRow);
    cp = { data: c, at: stateAt, row: hidden };
  }
  return {
    length, batch, hidden, reverse, h0, c0, gates, c, tanhC,
    output: sequenceTensor(output, batchMajor, length, batch, hidden),
    batchMajor,
    outputCopy: () => sequenceTensor(output.slice(), batchMajor, length, batch, hidden),
    cell: (t) => view(c, t * stepState, batch, hidden),
    gatesAt: (t) => view(gates, t * stepGates, batch, width),
  };
}

/** The state before each step (h0, or the output of the step before), [rows, H] in the order of the sequence buffers' rows. */
function previousStates(saved: LSTMSequence): Tensor {
  const { length, batch, hidden, reverse, batchMajor, output } = saved;
  const source = output.storage.data as FloatArray;
  const h0 = rowsOf(saved.h0);
  const shifted = allocateForOverwrite(output.dtype, length * batch * hidden) as FloatArray;
  for (let t = 0; t < length; t++) {
    const previous = reverse ? t + 1 : t - 1;
    const [at, row] = stepLayout(batchMajor, length, batch, hidden, t);
    const [from, fromRow] = stepLayout(batchMajor, length, batch, hidden, previous);
    for (let n = 0; n < batch; n++) {
      const start = previous < 0 || previous >= length ? h0.at + n * h0.row : from + n * fromRow;
      shifted.set((previous < 0 || previous >= length ? h0.data : source).subarray(start, start + hidden), at + n * row);
    }
  }
  return view(shifted, 0, length * batch, hidden);
}

/** The gradients the recurrence's backward returns (null where not asked for). */
export interface LSTMSequenceGradients {
  readonly xw: Tensor;
  readonly h0: Tensor;
  readonly c0: Tensor;
  readonly weightHH: Tensor | null;
  readonly biasHH: Tensor | null;
}

/**
 * Runs the recurrence backward from the gradients of the output [L, N, H]
 * and of the final states [N, H]: one product per step for the gradient
 * flowing to the previous h, and the gradients of W_hh and b_hh as single
 * products and sums over all steps at the end.
 */
export function lstmSequenceBackward(
  saved: LSTMSequence, weightHH: Tensor, gradOutput: Tensor, gradHN: Tensor, gradCN: Tensor, needsWeight: boolean, needsBias: boolean,
): LSTMSequenceGradients {
  const { length, batch, hidden, reverse, gates, c, tanhC, output, batchMajor } = saved;
  const width = 4 * hidden;
  const dtype = output.dtype;
  const stepGates = batch * width;
  const stepState = batch * hidden;
  const dGates = allocateForOverwrite(dtype, length * stepGates) as FloatArray;
  // The running gradients of h and of c, rewritten each step.
  const dh = copyOf(gradHN);
  const dc = copyOf(gradCN);
  const dhTensor = view(dh, 0, batch, hidden);
  const gemm = getKernel('gemm');
  const backward = (dtype === 'float32' ? lstmBackwardRowsFloat32 : lstmBackwardRows) as typeof lstmBackwardRows;
  const dy = gradOutput.strides[2] === 1 || hidden <= 1 ? gradOutput : gradOutput.contiguous();
  const dyData = dy.storage.data as FloatArray;
  const c0 = rowsOf(saved.c0);
  for (let s = 0; s < length; s++) {
    const t = reverse ? s : length - 1 - s;
    const first = reverse ? t === length - 1 : t === 0;
    const previous = reverse ? t + 1 : t - 1;
    // The gradient of h_t: from the step after it (through its product) and from the output.
    const dyAt = dy.offset + t * dy.strides[0]!;
    const dyRow = dy.strides[1]!;
    for (let row = 0; row < batch; row++) {
      for (let k = 0, at = row * hidden; k < hidden; k++, at++) dh[at] = dh[at]! + dyData[dyAt + row * dyRow + k]!;
    }
    const stateAt = t * stepState;
    const gatesAt = t * stepGates;
    const [gradAt, gradRow] = stepLayout(batchMajor, length, batch, width, t);
    backward(
      batch, hidden,
      dh, 0, hidden,
      dc, 0, hidden,
      gates, gatesAt, width,
      first ? c0.data : c, first ? c0.at : previous * stepState, first ? c0.row : hidden,
      tanhC, stateAt, hidden,
      dGates, gradAt, gradRow,
      dc, 0, hidden,
    );
    gemm(view(dGates, gradAt, batch, width, gradRow), weightHH, { out: dhTensor });
  }
  const gradXW = sequenceTensor(dGates, batchMajor, length, batch, width);
  const rows = length * batch;
  // The gradient's rows in their stored order (steps of each batch row, or batch rows of each step).
  const gradRows = new Tensor(new Storage(dGates), [rows, width]);
  let weightGradient: Tensor | null = null;
  if (needsWeight) {
    // Σ_t dGates_tᵀ · hPrevious_t as one product over the rows in the gradient's order.
    weightGradient = gemm(gradRows.t(), previousStates(saved));
  }
  return {
    xw: gradXW,
    h0: dhTensor,
    c0: view(dc, 0, batch, hidden),
    weightHH: weightGradient,
    biasHH: needsBias ? gradRows.sum(0) : null,
  };
}
