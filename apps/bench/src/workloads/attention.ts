import '@strata/autograd';
import { TransformerEncoder, TransformerEncoderLayer } from '@strata/layers-attention';
import { Tensor } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { type Runner, type Workload, defineWorkload } from '../workload.js';

const BATCH = 32;
const LENGTH = 128;
const D_MODEL = 256;
const HEADS = 8;
const FEEDFORWARD = 1024;
const LAYERS = 2;

/** The input and the upstream gradient of the output (batch first). */
interface EncoderInputs {
  src: Float32Array;
  upstream: Float32Array;
}

function setup(): EncoderInputs {
  return { src: seededNormal(BATCH * LENGTH * D_MODEL, 81), upstream: seededNormal(BATCH * LENGTH * D_MODEL, 82) };
}

/**
 * `TransformerEncoder` of two `TransformerEncoderLayer(256, 8, { dimFeedforward: 1024, dropout: 0, batchFirst: true })`
 * forward, and the backward to the input and every parameter from a seeded
 * upstream gradient; the input's gradient is the checked output.
 */
function strata({ src: data, upstream: gradient }: EncoderInputs): Runner {
  const layer = new TransformerEncoderLayer(D_MODEL, HEADS, { dimFeedforward: FEEDFORWARD, dropout: 0, batchFirst: true });
  const encoder = new TransformerEncoder(layer, LAYERS);
  const src = Tensor.fromData(data.slice(), [BATCH, LENGTH, D_MODEL]).requiresGrad_(true);
  const upstream = Tensor.fromData(gradient.slice(), [BATCH, LENGTH, D_MODEL]);
  return {
    run: () => {
      src.grad = null;
      encoder.zeroGrad();
      encoder.forward(src).backward(upstream);
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
    setup,
    strata,
  }),
];
