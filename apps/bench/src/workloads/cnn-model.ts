/**
 * The CNN of WORKLOADS.md and its training step in Strata, without Node's
 * modules, so that the browser page (src/browser/page.ts) runs the very same
 * step as `cnn_train_step` does in Node.
 */
import { noGrad } from '@strata/autograd';
import { createCnn } from '@strata/examples-fashion-mnist/model';
import { CrossEntropyLoss } from '@strata/losses';
import type { Sequential } from '@strata/module';
import { Adam } from '@strata/optim';
import { Generator, Tensor, manualSeed } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import type { Runner } from '../workload.js';
import type { CnnState } from './cnn-tfjs.js';

export const BATCH = 64;
export const CLASSES = 10;
export const LR = 1e-3;
/** The steps the output check takes from the initial weights, with dropout off (random masks differ between peers). */
export const CHECK_STEPS = 2;

/** The CNN of WORKLOADS.md ("The CNN"): the Fashion-MNIST example's own model, with the dropout rate as a parameter for the output check. */
export function cnn(dropout = 0.25): Sequential {
  return createCnn({ dropout });
}

/** A batch of 64 seeded images and labels, and the initial weights both peers start from. */
export interface CnnInputs {
  x: Float32Array;
  labels: Int32Array;
  /** The state dict of a CNN initialized with PyTorch's default init from seed 72. */
  state: CnnState;
}

export function setup(): CnnInputs {
  const generator = new Generator(71);
  const labels = new Int32Array(BATCH);
  for (let i = 0; i < BATCH; i++) labels[i] = generator.nextInt(0, CLASSES);
  return { x: seededNormal(BATCH * 28 * 28, 70), labels, state: initialState(72) };
}

/** The float32 entries of the state dict of a CNN initialized with PyTorch's default init after `manualSeed(seed)`. */
export function initialState(seed: number): CnnState {
  manualSeed(seed);
  const state: CnnState = {};
  for (const [key, tensor] of Object.entries(cnn().stateDict())) {
    if (tensor.dtype === 'float32') state[key] = { shape: [...tensor.shape], data: Float32Array.from(tensor.contiguousData()) };
  }
  return state;
}

export function strataModel(inputs: CnnInputs, dropout: number): Sequential {
  const model = cnn(dropout);
  const state: Record<string, Tensor> = {};
  for (const [key, { shape, data }] of Object.entries(inputs.state)) state[key] = Tensor.fromData(data.slice(), shape);
  model.loadStateDict(state, { strict: false });
  return model;
}

/** One training step: zeroGrad, forward, cross-entropy, backward, Adam. */
export function strataCnnStep(inputs: CnnInputs): Runner {
  const x = Tensor.fromData(inputs.x.slice(), [BATCH, 1, 28, 28]);
  const labels = Tensor.fromData(inputs.labels.slice(), [BATCH]);
  const criterion = new CrossEntropyLoss();
  const model = strataModel(inputs, 0.25);
  const optimizer = new Adam(model.parameters(), { lr: LR });
  const step = (network: Sequential, adam: Adam): void => {
    adam.zeroGrad();
    criterion.forward(network.forward(x), labels).backward();
    adam.step();
  };
  return {
    run: () => step(model, optimizer),
    // The logits (training mode, batch statistics) after CHECK_STEPS steps without dropout from the shared initial weights.
    output: () => {
      const check = strataModel(inputs, 0);
      const adam = new Adam(check.parameters(), { lr: LR });
      for (let i = 0; i < CHECK_STEPS; i++) step(check, adam);
      return Float32Array.from(noGrad(() => check.forward(x)).contiguousData());
    },
  };
}
