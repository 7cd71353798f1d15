/**
 * One direction of one recurrent layer over a whole sequence, as one
 * differentiable op per cell type (`lstmRecurrence`, `gruRecurrence`,
 * `rnnRecurrence`), the way PyTorch's fused RNN kernels work:
 *
 * - the caller projects the whole input sequence with one matrix product
 *   (`xw = x · W_ihᵀ` (projection.ts), plus `b_ih` for the GRU, recorded, so
 *   its gradients flow to the input, `W_ih` and `b_ih` by the product's own
 *   formula; the LSTM and the RNN pass `b_ih + b_hh` as the op's bias, see
 *   {@link foldBiases});
 * - the op runs the recurrence: per step one product `h · W_hhᵀ` (with
 *   `W_hhᵀ` copied contiguous once per call: the per-step products then
 *   read its rows in order, measurably faster than through the transposed view) and one
 *   fused pointwise kernel (plus the projection `· W_hrᵀ` for an LSTM with
 *   `projSize`);
 * - its backward runs the steps in reverse, one product per step for the
 *   gradient flowing to the previous state, and gets the gradients of
 *   `W_hh`, `b_hh` and `W_hr` from single products over all steps at the end.
 *
 * The LSTM without projection runs over whole-sequence buffers
 * (lstm-sequence.ts) while the CPU loops are the active `lstmCell` and
 * `lstmCellBackward`; the other cells, and an LSTM on a backend's own
 * kernels, step through the registered kernels.
 *
 * The pointwise kernels are registered by name, so a faster backend can
 * override them; each backward one has a default composed of forward ops
 * (reference-backward.ts) beneath the fused loop. Inputs are checked by the
 * callers (rnn-base.ts, cells.ts).
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { type Tensor, getKernel, isGradEnabled, matmul, registerKernel, stack } from '@strata/tensor';
import {
  type GRUCellGradients,
  type GRUCellStep,
  type LSTMCellGradients,
  type LSTMCellStep,
  gruCellBackwardKernel,
  gruCellKernel,
  lstmCellBackwardKernel,
  lstmCellKernel,
  rnnCellBackwardKernel,
  rnnCellKernel,
} from './kernels/cells.js';
import { COMPOSITE_BACKEND } from '@strata/tensor/backend';
import type { RecurrentMode } from './options.js';
import { type LSTMSequence, lstmSequenceBackward, lstmSequenceForward } from './lstm-sequence.js';
import { gruCellBackwardComposite, lstmCellBackwardComposite, rnnCellBackwardComposite } from './reference-backward.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** One LSTM step's pointwise part: xw [N, 4H] + hw [N, 4H] + bias [4H] or null, cPrevious [N, H] → gates, c, h. */
    lstmCell: (xw: Tensor, hw: Tensor, bias: Tensor | null, cPrevious: Tensor) => LSTMCellStep;
    /** Its backward: gradH, gradC [N, H], the saved gates [N, 4H], cPrevious and c [N, H] → gradients of the gates and cPrevious. */
    lstmCellBackward: (gradH: Tensor, gradC: Tensor, gates: Tensor, cPrevious: Tensor, c: Tensor) => LSTMCellGradients;
    /** One GRU step's pointwise part: xw [N, 3H], hw [N, 3H], bias [3H] or null, hPrevious [N, H] → saved [N, 4H], h. */
    gruCell: (xw: Tensor, hw: Tensor, bias: Tensor | null, hPrevious: Tensor) => GRUCellStep;
    /** Its backward: gradH [N, H], the saved [N, 4H], hPrevious → gradients of xw, hw and (directly) hPrevious. */
    gruCellBackward: (gradH: Tensor, saved: Tensor, hPrevious: Tensor) => GRUCellGradients;
    /** One Elman RNN step: tanh (or relu) of xw + hw + bias, all [N, H] (bias [H] or null). */
    rnnCell: (xw: Tensor, hw: Tensor, bias: Tensor | null, relu: boolean) => Tensor;
    /** Its backward: the pre-activation's gradient from gradH and the step's output h. */
    rnnCellBackward: (gradH: Tensor, h: Tensor, relu: boolean) => Tensor;
  }
}

registerKernel('lstmCell', lstmCellKernel);
registerKernel('gruCell', gruCellKernel);
registerKernel('rnnCell', rnnCellKernel);
// The backward defaults composed of forward ops, then the fused CPU loops over them.
registerKernel('lstmCellBackward', lstmCellBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('gruCellBackward', gruCellBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('rnnCellBackward', rnnCellBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('lstmCellBackward', lstmCellBackwardKernel, { override: true });
registerKernel('gruCellBackward', gruCellBackwardKernel, { override: true });
registerKernel('rnnCellBackward', rnnCellBackwardKernel, { override: true });

/** How a pass walks the sequence, and the Elman RNN's nonlinearity. */
export interface RecurrencePass {
  /** Whether the pass runs from the last step to the first (the reverse direction of a bidirectional layer). */
  readonly reverse: boolean;
  /** For `rnnRecurrence`: relu instead of tanh. */
  readonly relu: boolean;
}

/**
 * The biases as the recurrence takes them: `[b_ih added to xw, b_hh]`. The
 * LSTM and the Elman RNN add both to the same pre-activation, so they pass
 * `b_ih + b_hh` ([G], recorded) as the recurrent bias and nothing to add to
 * `xw`: one pass over the [L, N, G] projection fewer, forward and backward
 * (the bias gradient is summed over the steps once). The GRU's b_hn sits
 * inside `r · (hw_n + b_hn)`, so its two biases stay apart.
 */
export function foldBiases(
  mode: RecurrentMode, biasIH: Tensor | null, biasHH: Tensor | null,
): [Tensor | null, Tensor | null] {
  if (mode === 'GRU' || biasIH === null || biasHH === null) return [biasIH, biasHH];
  return [null, biasIH.add(biasHH)];
}

/** The time steps in the order a pass visits them. */
function timeOrder(length: number, reverse: boolean): number[] {
  return Array.from({ length }, (_, i) => (reverse ? length - 1 - i : i));
}

/** The recurrent layers' backward runs kernels, not recorded ops: refuse to pretend a second derivative. */
function refuseCreateGraph(name: string): void {
  if (isGradEnabled()) {
    throw new Error(`${name} backward: second derivatives (createGraph) of the recurrent layers are not available; use first-order gradients`);
  }
}

/** Σ_t gradᵀ_t · value_t over all steps as one product: grads [L, N, A], values [L, N, B] → [A, B]. */
function sumOfOuterProducts(grads: Tensor, values: Tensor): Tensor {
  const rows = grads.shape[0]! * grads.shape[1]!;
  return matmul(grads.reshape([rows, grads.shape[2]!]).t(), values.reshape([rows, values.shape[2]!]));
}

/** Σ over steps and batch of [L, N, G] → [G]. */
function sumOverSteps(grads: Tensor): Tensor {
  return grads.reshape([grads.shape[0]! * grads.shape[1]!, grads.shape[2]!]).sum(0);
}

/** What the per-step backward reads: per time step the states before it, the activated gates, the new cell state and o · tanh(c). */
interface LSTMSteps {
  pass: RecurrencePass;
  hPrevious: Tensor[];
  cPrevious: Tensor[];
  gates: Tensor[];
  c: Tensor[];
  m: Tensor[];
}

/** Saved by the per-step forward (the steps) or by the sequence one (`sequence`, see lstm-sequence.ts). */
interface LSTMState extends LSTMSteps {
  sequence?: LSTMSequence;
}

/** The steps of a sequence forward as views, for the per-step backward of a backend's own `lstmCellBackward`. */
function stepsOf(sequence: LSTMSequence): LSTMSteps {
  const { length, reverse } = sequence;
  const steps: LSTMSteps = { pass: { reverse, relu: false }, hPrevious: [], cPrevious: [], gates: [], c: [], m: [] };
  for (let t = 0; t < length; t++) {
    const previous = reverse ? t + 1 : t - 1;
    const first = previous < 0 || previous >= length;
    steps.hPrevious[t] = first ? sequence.h0 : sequence.output.select(0, previous);
    steps.cPrevious[t] = first ? sequence.c0 : sequence.cell(previous);
    steps.gates[t] = sequence.gatesAt(t);
    steps.c[t] = sequence.cell(t);
    steps.m[t] = sequence.output.select(0, t);
  }
  return steps;
}

/**
 * The LSTM recurrence: xw [L, N, 4H] (input projection with b_ih), h0 [N, P],
 * c0 [N, H], W_hh [4H, P], b_hh [4H] or null, W_hr [P, H] or null (P = H
 * without projection) → [output [L, N, P], hN [N, P], cN [N, H]].
 */
export const lstmRecurrence: (
  xw: Tensor, h0: Tensor, c0: Tensor, weightHH: Tensor, biasHH: Tensor | null, weightHR: Tensor | null, pass: RecurrencePass,
) => [Tensor, Tensor, Tensor] = defineOp({
  name: 'lstm',
  forward(
    ctx: OpContext<LSTMState>, xw: Tensor, h0: Tensor, c0: Tensor, weightHH: Tensor, biasHH: Tensor | null, weightHR: Tensor | null, pass: RecurrencePass,
  ): [Tensor, Tensor, Tensor] {
    const length = xw.shape[0]!;
    const recurrentT = weightHH.t().contiguous();
    if (weightHR === null && xw.shape[1]! > 0 && getKernel('lstmCell') === lstmCellKernel) {
      const sequence = lstmSequenceForward(xw, h0, c0, recurrentT, biasHH, pass.reverse);
      Object.assign(ctx.state, { pass, sequence });
      ctx.saveForBackward(weightHH);
      const last = pass.reverse ? 0 : length - 1;
      // Tensors of their own, not views of the saved buffers: the backward reads those, and an
      // in-place change of the output must not change the gradients (as in PyTorch's CPU LSTM).
      return [sequence.outputCopy(), sequence.output.select(0, last).clone(), sequence.cell(last).clone()];
    }
    const projectionT = weightHR === null ? null : weightHR.t().contiguous();
    const cell = getKernel('lstmCell');
    const state: LSTMState = { pass, hPrevious: [], cPrevious: [], gates: [], c: [], m: [] };
    const outputs: Tensor[] = new Array<Tensor>(length);
    let h = h0;
    let c = c0;
    for (const t of timeOrder(length, pass.reverse)) {
      const step = cell(xw.select(0, t), matmul(h, recurrentT), biasHH, c);
      state.hPrevious[t] = h;
      state.cPrevious[t] = c;
      state.gates[t] = step.gates;
      state.c[t] = step.c;
      state.m[t] = step.h;
      h = projectionT === null ? step.h : matmul(step.h, projectionT);
      c = step.c;
      outputs[t] = h;
    }
    Object.assign(ctx.state, state);
    ctx.saveForBackward(weightHH, ...(weightHR === null ? [] : [weightHR]));
    return [stack(outputs, 0), h, c];
  },
  backward(ctx, [gradOutput, gradHN, gradCN]) {
    refuseCreateGraph('lstm');
    const needs = ctx.needsInputGrad;
    const { sequence } = ctx.state;
    const [weightHH, weightHR] = ctx.savedTensors as [Tensor, Tensor | undefined];
    if (sequence !== undefined && getKernel('lstmCellBackward') === lstmCellBackwardKernel) {
      const gradients = lstmSequenceBackward(sequence, weightHH, gradOutput, gradHN, gradCN, needs[3]!, needs[4]!);
      return [gradients.xw, needs[1] ? gradients.h0 : null, needs[2] ? gradients.c0 : null, gradients.weightHH, gradients.biasHH, null, null];
    }
    const { pass, hPrevious, cPrevious, gates, c, m } = sequence === undefined ? ctx.state : stepsOf(sequence);
    const length = gates.length;
    const backwardKernel = getKernel('lstmCellBackward');
    const gradGates: Tensor[] = new Array<Tensor>(length);
    const gradH: Tensor[] = new Array<Tensor>(length);
    let dh = gradHN;
    let dc = gradCN;
    for (const t of timeOrder(length, !pass.reverse)) {
      const total = dh.add(gradOutput.select(0, t));
      gradH[t] = total;
      const dm = weightHR === undefined ? total : matmul(total, weightHR);
      const step = backwardKernel(dm, dc, gates[t]!, cPrevious[t]!, c[t]!);
      gradGates[t] = step.gates;
      dc = step.cPrevious;
      dh = matmul(step.gates, weightHH);
    }
    const gradXW = stack(gradGates, 0);
    return [
      gradXW,
      needs[1] ? dh : null,
      needs[2] ? dc : null,
      needs[3] ? sumOfOuterProducts(gradXW, stack(hPrevious, 0)) : null,
      needs[4] ? sumOverSteps(gradXW) : null,
      needs[5] ? sumOfOuterProducts(stack(gradH, 0), stack(m, 0)) : null,
      null,
    ];
  },
});

interface GRUState {
  pass: RecurrencePass;
  hPrevious: Tensor[];
  saved: Tensor[];
}

/**
 * The GRU recurrence: xw [L, N, 3H] (input projection with b_ih), h0 [N, H],
 * W_hh [3H, H], b_hh [3H] or null → [output [L, N, H], hN [N, H]].
 */
export const gruRecurrence: (
  xw: Tensor, h0: Tensor, weightHH: Tensor, biasHH: Tensor | null, pass: RecurrencePass,
) => [Tensor, Tensor] = defineOp({
  name: 'gru',
  forward(ctx: OpContext<GRUState>, xw: Tensor, h0: Tensor, weightHH: Tensor, biasHH: Tensor | null, pass: RecurrencePass): [Tensor, Tensor] {
    const length = xw.shape[0]!;
    const recurrentT = weightHH.t().contiguous();
    const cell = getKernel('gruCell');
    const state: GRUState = { pass, hPrevious: [], saved: [] };
    const outputs: Tensor[] = new Array<Tensor>(length);
    let h = h0;
    for (const t of timeOrder(length, pass.reverse)) {
      const step = cell(xw.select(0, t), matmul(h, recurrentT), biasHH, h);
      state.hPrevious[t] = h;
      state.saved[t] = step.saved;
      h = step.h;
      outputs[t] = h;
    }
    Object.assign(ctx.state, state);
    ctx.saveForBackward(weightHH);
    return [stack(outputs, 0), h];
  },
  backward(ctx, [gradOutput, gradHN]) {
    refuseCreateGraph('gru');
    const [weightHH] = ctx.savedTensors as [Tensor];
    const { pass, hPrevious, saved } = ctx.state;
    const length = saved.length;
    const backwardKernel = getKernel('gruCellBackward');
    const gradInput: Tensor[] = new Array<Tensor>(length);
    const gradHidden: Tensor[] = new Array<Tensor>(length);
    let dh = gradHN;
    for (const t of timeOrder(length, !pass.reverse)) {
      const step = backwardKernel(dh.add(gradOutput.select(0, t)), saved[t]!, hPrevious[t]!);
      gradInput[t] = step.inputGates;
      gradHidden[t] = step.hiddenGates;
      dh = step.hPrevious.add(matmul(step.hiddenGates, weightHH));
    }
    const gradHW = stack(gradHidden, 0);
    const needs = ctx.needsInputGrad;
    return [
      stack(gradInput, 0),
      needs[1] ? dh : null,
      needs[2] ? sumOfOuterProducts(gradHW, stack(hPrevious, 0)) : null,
      needs[3] ? sumOverSteps(gradHW) : null,
      null,
    ];
  },
});

interface RNNState {
  pass: RecurrencePass;
  hPrevious: Tensor[];
  h: Tensor[];
}

/**
 * The Elman RNN recurrence: xw [L, N, H] (input projection with b_ih),
 * h0 [N, H], W_hh [H, H], b_hh [H] or null → [output [L, N, H], hN [N, H]].
 */
export const rnnRecurrence: (
  xw: Tensor, h0: Tensor, weightHH: Tensor, biasHH: Tensor | null, pass: RecurrencePass,
) => [Tensor, Tensor] = defineOp({
  name: 'rnn',
  forward(ctx: OpContext<RNNState>, xw: Tensor, h0: Tensor, weightHH: Tensor, biasHH: Tensor | null, pass: RecurrencePass): [Tensor, Tensor] {
    const length = xw.shape[0]!;
    const recurrentT = weightHH.t().contiguous();
    const cell = getKernel('rnnCell');
    const state: RNNState = { pass, hPrevious: [], h: [] };
    let h = h0;
    for (const t of timeOrder(length, pass.reverse)) {
      state.hPrevious[t] = h;
      h = cell(xw.select(0, t), matmul(h, recurrentT), biasHH, pass.relu);
      state.h[t] = h;
    }
    Object.assign(ctx.state, state);
    ctx.saveForBackward(weightHH);
    return [stack(state.h, 0), h];
  },
  backward(ctx, [gradOutput, gradHN]) {
    refuseCreateGraph('rnn');
    const [weightHH] = ctx.savedTensors as [Tensor];
    const { pass, hPrevious, h } = ctx.state;
    const length = h.length;
    const backwardKernel = getKernel('rnnCellBackward');
    const gradPre: Tensor[] = new Array<Tensor>(length);
    let dh = gradHN;
    for (const t of timeOrder(length, !pass.reverse)) {
      const step = backwardKernel(dh.add(gradOutput.select(0, t)), h[t]!, pass.relu);
      gradPre[t] = step;
      dh = matmul(step, weightHH);
    }
    const gradXW = stack(gradPre, 0);
    const needs = ctx.needsInputGrad;
    return [
      gradXW,
      needs[1] ? dh : null,
      needs[2] ? sumOfOuterProducts(gradXW, stack(hPrevious, 0)) : null,
      needs[3] ? sumOverSteps(gradXW) : null,
      null,
    ];
  },
});
