import '@strata/autograd';
import { LSTM } from '@strata/layers-recurrent';
import { Tensor, manualSeed } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { type Runner, type Workload, defineWorkload } from '../workload.js';
import { type LstmState, jaxLstmRunner } from './recurrent-jax.js';

const BATCH = 32;
const LENGTH = 64;
const INPUT = 128;
const HIDDEN = 256;

/** The input, the initial states and the upstream gradient of the output (batch first), and the initial weights. */
interface LSTMInputs {
  x: Float32Array;
  h0: Float32Array;
  c0: Float32Array;
  upstream: Float32Array;
  /** The state dict of the LSTM initialized with PyTorch's init after `manualSeed(75)`, which every peer starts from. */
  state: LstmState;
}

function setup(): LSTMInputs {
  manualSeed(75);
  const state: LstmState = {};
  for (const [key, tensor] of Object.entries(new LSTM(INPUT, HIDDEN, { batchFirst: true }).stateDict())) {
    state[key] = { shape: [...tensor.shape], data: Float32Array.from(tensor.contiguousData()) };
  }
  return {
    state,
    x: seededNormal(BATCH * LENGTH * INPUT, 71),
    h0: seededNormal(BATCH * HIDDEN, 72),
    c0: seededNormal(BATCH * HIDDEN, 73),
    upstream: seededNormal(BATCH * LENGTH * HIDDEN, 74),
  };
}

/**
 * `LSTM(128, 256, { batchFirst: true })` forward from h0 and c0, and the
 * backward to the input, both states and every weight from a seeded upstream
 * gradient of the output; the input's gradient is the checked output.
 */
function strata({ x: data, h0: hidden, c0: cell, upstream: gradient, state }: LSTMInputs): Runner {
  const lstm = new LSTM(INPUT, HIDDEN, { batchFirst: true });
  const weights: Record<string, Tensor> = {};
  for (const [key, { shape, data: values }] of Object.entries(state)) weights[key] = Tensor.fromData(values.slice(), shape);
  lstm.loadStateDict(weights);
  const x = Tensor.fromData(data.slice(), [BATCH, LENGTH, INPUT]).requiresGrad_(true);
  const h0 = Tensor.fromData(hidden.slice(), [1, BATCH, HIDDEN]).requiresGrad_(true);
  const c0 = Tensor.fromData(cell.slice(), [1, BATCH, HIDDEN]).requiresGrad_(true);
  const upstream = Tensor.fromData(gradient.slice(), [BATCH, LENGTH, HIDDEN]);
  return {
    run: () => {
      for (const leaf of [x, h0, c0]) leaf.grad = null;
      lstm.zeroGrad();
      const [output] = lstm.forward(x, [h0, c0]);
      output.backward(upstream);
    },
    output: () => Float32Array.from(x.grad!.contiguousData()),
  };
}

// Forward: the input projection (2·L·N·I·4H) and the recurrent products (2·L·N·H·4H);
// backward: twice that (the gradients of the operands of each product).
const FORWARD_FLOP = 2 * LENGTH * BATCH * 4 * HIDDEN * (INPUT + HIDDEN);

/** lstm_fwd_bwd of WORKLOADS.md. */
export const recurrentWorkloads: readonly Workload[] = [
  defineWorkload<LSTMInputs>({
    id: 'lstm_fwd_bwd',
    summary: `LSTM(${INPUT}, ${HIDDEN}), one layer, batch first: input [${BATCH}, ${LENGTH}, ${INPUT}] from h0/c0, backward to input, h0, c0 and weights`,
    flop: 3 * FORWARD_FLOP,
    // The input's gradient through 64 steps of float32 products, summed in other orders.
    tolerance: 1e-3,
    setup,
    strata,
    jax: (jax, { state, ...data }) => jaxLstmRunner(jax, { batch: BATCH, length: LENGTH, input: INPUT, hidden: HIDDEN }, state, data),
  }),
];
