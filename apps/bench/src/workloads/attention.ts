import '@strata/autograd';
import { TransformerEncoder, TransformerEncoderLayer } from '@strata/layers-attention';
import { Tensor, manualSeed } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { type Runner, type Workload, defineWorkload } from '../workload.js';
import { type EncoderState, jaxEncoderRunner } from './attention-jax.js';

const BATCH = 32;
const LENGTH = 128;
const D_MODEL = 256;
const HEADS = 8;
const FEEDFORWARD = 1024;
const LAYERS = 2;

/** The input and the upstream gradient of the output (batch first), and the initial weights every peer starts from. */
interface EncoderInputs {
  src: Float32Array;
  upstream: Float32Array;
  /** The state dict of the encoder initialized with PyTorch's init after `manualSeed(83)`. */
  state: EncoderState;
}

function encoder(): TransformerEncoder {
  const layer = new TransformerEncoderLayer(D_MODEL, HEADS, { dimFeedforward: FEEDFORWARD, dropout: 0, batchFirst: true });
  return new TransformerEncoder(layer, LAYERS);
}

function setup(): EncoderInputs {
  manualSeed(83);
  const state: EncoderState = {};
  for (const [key, tensor] of Object.entries(encoder().stateDict())) {
    state[key] = { shape: [...tensor.shape], data: Float32Array.from(tensor.contiguousData()) };
  }
  return { src: seededNormal(BATCH * LENGTH * D_MODEL, 81), upstream: seededNormal(BATCH * LENGTH * D_MODEL, 82), state };
}

/**
 * `TransformerEncoder` of two `TransformerEncoderLayer(256, 8, { dimFeedforward: 1024, dropout: 0, batchFirst: true })`
 * forward, and the backward to the input and every parameter from a seeded
 * upstream gradient; the input's gradient is the checked output.
 */
function strata({ src: data, upstream: gradient, state }: EncoderInputs): Runner {
  const model = encoder();
  const weights: Record<string, Tensor> = {};
  for (const [key, { shape, data: values }] of Object.entries(state)) weights[key] = Tensor.fromData(values.slice(), shape);
  model.loadStateDict(weights);
  const src = Tensor.fromData(data.slice(), [BATCH, LENGTH, D_MODEL]).requiresGrad_(true);
  const upstream = Tensor.fromData(gradient.slice(), [BATCH, LENGTH, D_MODEL]);
  return {
    run: () => {
      src.grad = null;
      model.zeroGrad();
      model.forward(src).backward(upstream);
    },
    output: () => Float32Array.from(src.grad!.contiguousData()),
  };
}

// Forward per layer: the q/k/v and output projections (2·N·L·4E²), scores and weights·v (2·2·N·L²·E),
// the feed-forward block (2·2·N·L·E·F); backward: twice that.
const FORWARD_FLOP = LAYERS * 2 * BATCH * LENGTH * (4 * D_MODEL * D_MODEL + 2 * LENGTH * D_MODEL + 2 * D_MODEL * FEEDFORWARD);

/** transformer_encoder_fwd_bwd of WORKLOADS.md. */
export const attentionWorkloads: readonly Workload[] = [
  defineWorkload<EncoderInputs>({
    id: 'transformer_encoder_fwd_bwd',
    summary: `TransformerEncoder of ${LAYERS} layers (dModel ${D_MODEL}, ${HEADS} heads, feed-forward ${FEEDFORWARD}, dropout 0, batch first): `
      + `src [${BATCH}, ${LENGTH}, ${D_MODEL}], backward to src and weights`,
    flop: 3 * FORWARD_FLOP,
    // The input's gradient through two layers of float32 products and layer norms, summed in other orders.
    tolerance: 1e-3,
    setup,
    strata,
    jax: (jax, { src, upstream, state }) =>
      jaxEncoderRunner(jax, { batch: BATCH, length: LENGTH, dModel: D_MODEL, heads: HEADS, layers: LAYERS }, state, src, upstream),
  }),
];
