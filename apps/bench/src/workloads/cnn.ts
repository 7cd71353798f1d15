import { existsSync } from 'node:fs';
import { noGrad } from '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d } from '@strata/layers-norm';
import { CrossEntropyLoss } from '@strata/losses';
import { Sequential } from '@strata/module';
import { Adam } from '@strata/optim';
import { Generator, Tensor, manualSeed } from '@strata/tensor';
import { Accuracy, DataLoader, type TensorDataset, evaluate, fit } from '@strata/train';
import { loadFashionMnist } from '@strata/train/node';
import { seededNormal } from '../inputs.js';
import { jaxArray } from '../peers/jax.js';
import { JaxCnnTrainer } from './cnn-jax.js';
import { type CnnState, type TfjsBatch, TfjsCnnTrainer, tfjsBatch } from './cnn-tfjs.js';
import { type Jax, type Runner, type Tfjs, type Workload, defineWorkload } from '../workload.js';

const BATCH = 64;
const CLASSES = 10;
const LR = 1e-3;
/** The steps the output check takes from the initial weights, with dropout off (random masks differ between peers). */
const CHECK_STEPS = 2;
/** Where Debian's `dataset-fashion-mnist` puts the IDX files. */
export const FASHION_MNIST_FOLDER = '/usr/share/datasets/fashion-mnist';

/** The CNN of WORKLOADS.md ("The CNN"), with the dropout rate as a parameter for the output check. */
function cnn(dropout = 0.25): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3),
    new BatchNorm2d(64),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dropout(dropout),
    new Linear(1600, 128),
    new ReLU(),
    new Linear(128, 10),
  );
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
function initialState(seed: number): CnnState {
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
function strata(inputs: CnnInputs): Runner {
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

/** cnn_train_step in TF.js: {@link TfjsCnnTrainer}'s step on the seeded batch. */
function tfjs(tf: Tfjs, inputs: CnnInputs): Runner {
  const batch = tfjsBatch(tf, inputs.x, inputs.labels, CLASSES);
  const trainer = new TfjsCnnTrainer(tf, inputs.state, LR);
  return {
    run: () => trainer.step(batch, 0.25),
    output: () => {
      trainer.reset();
      for (let i = 0; i < CHECK_STEPS; i++) trainer.step(batch, 0);
      return trainer.logits(batch);
    },
    note: () => trainer.borrowed,
    dispose: () => {
      trainer.dispose();
      tf.dispose([batch.x, batch.targets]);
    },
  };
}

/** cnn_train_step in jax-js: {@link JaxCnnTrainer}'s jitted step on the seeded batch, waited for. */
function jax(module: Jax, inputs: CnnInputs): Runner {
  const x = jaxArray(module, inputs.x, [BATCH, 1, 28, 28]);
  const targets = module.nn.oneHot(jaxArray(module, inputs.labels, [BATCH]), CLASSES).astype(module.numpy.float32);
  const trainer = new JaxCnnTrainer(module, inputs.state, LR);
  return {
    run: () => {
      throw new Error('cnn_train_step on jax-js: timed through runAsync');
    },
    runAsync: async () => {
      trainer.step(x, targets, 0.25);
      await trainer.ready();
    },
    output: () => {
      trainer.reset();
      for (let i = 0; i < CHECK_STEPS; i++) trainer.step(x, targets, 0);
      return trainer.logits(x);
    },
    dispose: () => {
      trainer.dispose();
      x.dispose();
      targets.dispose();
    },
  };
}

/** The training and test sets of Fashion-MNIST, loaded when the Strata runner is made (so a missing folder fails that cell only). */
export interface EpochInputs {
  folder: string;
}

function loadTrainingSet(folder: string): TensorDataset {
  if (!existsSync(folder)) throw new Error(`${folder} not found (apt-get install dataset-fashion-mnist)`);
  return loadFashionMnist(folder, { split: 'train' });
}

/**
 * One epoch of the CNN over the 60,000 training images (batch 64, shuffled
 * with seed 0, Adam lr 1e-3) with `@strata/train`'s `fit`, then the test
 * accuracy on the 10,000 test images with `evaluate`, reported under the
 * table. Timed through `runAsync`: `fit` lets the event loop turn between
 * batches, which a synchronous loop of 938 steps would not (see `fit`).
 */
function strataEpoch({ folder }: EpochInputs): Runner {
  const train = loadTrainingSet(folder);
  const test = loadFashionMnist(folder, { split: 'test' });
  let accuracy = Number.NaN;
  let seconds = Number.NaN;
  return {
    run: () => {
      throw new Error('fashion_mnist_epoch: timed through runAsync');
    },
    runAsync: async () => {
      manualSeed(0);
      const model = cnn();
      const history = await fit(model, {
        train: new DataLoader(train, { batchSize: BATCH, shuffle: true, generator: new Generator(0) }),
        loss: new CrossEntropyLoss(),
        optimizer: new Adam(model.parameters(), { lr: LR }),
        epochs: 1,
        progress: { stream: process.stderr, interactive: false, linesPerEpoch: 10 },
      });
      seconds = history.last!.seconds!;
      accuracy = evaluate(model, new DataLoader(test, { batchSize: 1000 }), { metrics: [new Accuracy()] }).accuracy!;
    },
    note: () => (Number.isNaN(accuracy) ? undefined : `test accuracy ${accuracy.toFixed(4)} after one epoch (${seconds.toFixed(0)} s of training)`),
  };
}

/** The steps of the epoch TF.js is timed on: one takes TF.js cpu about 40 s, so the whole epoch (11 hours) is scaled up from these. */
export const TFJS_EPOCH_STEPS = 3;

/**
 * fashion_mnist_epoch in TF.js, estimated: the first {@link TFJS_EPOCH_STEPS}
 * batches of the same seed-0 shuffle, from the same seed-0 initial weights,
 * timed and scaled up to the epoch's 938 steps (PEERS.md did the same). The
 * data loading, shuffling and test pass are left out, which favours TF.js.
 */
export function tfjsEpoch(tf: Tfjs, { folder }: EpochInputs): Runner {
  const loader = new DataLoader(loadTrainingSet(folder), { batchSize: BATCH, shuffle: true, generator: new Generator(0) });
  const batches: TfjsBatch[] = [];
  for (const [images, labels] of loader) {
    batches.push(tfjsBatch(tf, images.contiguousData() as Float32Array, labels.contiguousData() as Int32Array, CLASSES));
    if (batches.length === TFJS_EPOCH_STEPS) break;
  }
  const trainer = new TfjsCnnTrainer(tf, initialState(0), LR);
  return {
    run: () => {
      for (const batch of batches) trainer.step(batch, 0.25);
    },
    extrapolation: { factor: loader.length / TFJS_EPOCH_STEPS, basis: `${TFJS_EPOCH_STEPS} of the epoch's ${loader.length} training steps (no data loading, no test pass)` },
    note: () => trainer.borrowed,
    dispose: () => {
      trainer.dispose();
      for (const batch of batches) tf.dispose([batch.x, batch.targets]);
    },
  };
}

/** cnn_train_step and fashion_mnist_epoch of WORKLOADS.md. */
export const cnnWorkloads: readonly Workload[] = [
  defineWorkload<CnnInputs>({
    id: 'cnn_train_step',
    summary: 'the CNN of WORKLOADS.md (225k parameters), cross-entropy, Adam(lr 1e-3): one step on a batch of 64 [1, 28, 28]',
    // Two steps of Adam amplify float32 rounding in near-zero gradients; the logits still agree to about 1e-4.
    tolerance: 2e-3,
    setup,
    strata,
    tfjs,
    jax,
  }),
  defineWorkload<EpochInputs>({
    id: 'fashion_mnist_epoch',
    summary: 'the CNN, one epoch over the 60,000 Fashion-MNIST training images (batch 64, Adam lr 1e-3, seed 0), then the test accuracy',
    onlyOnRequest: true,
    policy: { warmups: 0, reps: 1, minSeconds: 0 },
    setup: () => ({ folder: FASHION_MNIST_FOLDER }),
    strata: strataEpoch,
    tfjs: tfjsEpoch,
  }),
];
