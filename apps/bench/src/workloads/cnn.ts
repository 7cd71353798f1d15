import { existsSync } from 'node:fs';
import { CrossEntropyLoss } from '@strata/losses';
import { Adam } from '@strata/optim';
import { Generator, manualSeed } from '@strata/tensor';
import { Accuracy, DataLoader, type TensorDataset, evaluate, fit } from '@strata/train';
import { loadFashionMnist } from '@strata/train/node';
import { BATCH, CHECK_STEPS, CLASSES, type CnnInputs, LR, cnn, initialState, setup, strataCnnStep } from './cnn-model.js';
import { type JaxArray, jaxArray } from '../peers/jax.js';
import { JaxCnnTrainer } from './cnn-jax.js';
import { type TfjsBatch, TfjsCnnTrainer, tfjsBatch } from './cnn-tfjs.js';
import { type Jax, type Runner, type Tfjs, type Workload, defineWorkload } from '../workload.js';

/** Where Debian's `dataset-fashion-mnist` puts the IDX files. */
export const FASHION_MNIST_FOLDER = '/usr/share/datasets/fashion-mnist';

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

/** The steps of the epoch TF.js and jax-js are timed on: one takes TF.js cpu about 40 s, so the whole epoch (11 hours) is scaled up from these. */
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

/**
 * fashion_mnist_epoch in jax-js, estimated as for TF.js: the first
 * {@link TFJS_EPOCH_STEPS} batches of the same seed-0 shuffle from the same
 * seed-0 weights, scaled up to the epoch. The step is compiled by one untimed
 * step first (then the weights start again), since the epoch gets no warm-up.
 */
export function jaxEpoch(module: Jax, { folder }: EpochInputs): Runner {
  const loader = new DataLoader(loadTrainingSet(folder), { batchSize: BATCH, shuffle: true, generator: new Generator(0) });
  const batches: { x: JaxArray; targets: JaxArray }[] = [];
  for (const [images, labels] of loader) {
    batches.push({
      x: jaxArray(module, images.contiguousData() as Float32Array, [BATCH, 1, 28, 28]),
      targets: module.nn.oneHot(jaxArray(module, labels.contiguousData() as Int32Array, [BATCH]), CLASSES).astype(module.numpy.float32),
    });
    if (batches.length === TFJS_EPOCH_STEPS) break;
  }
  const trainer = new JaxCnnTrainer(module, initialState(0), LR);
  trainer.step(batches[0]!.x, batches[0]!.targets, 0.25);
  trainer.logits(batches[0]!.x);
  trainer.reset();
  return {
    run: () => {
      throw new Error('fashion_mnist_epoch on jax-js: timed through runAsync');
    },
    runAsync: async () => {
      for (const batch of batches) trainer.step(batch.x, batch.targets, 0.25);
      await trainer.ready();
    },
    extrapolation: { factor: loader.length / TFJS_EPOCH_STEPS, basis: `${TFJS_EPOCH_STEPS} of the epoch's ${loader.length} training steps (no data loading, no test pass)` },
    dispose: () => {
      trainer.dispose();
      module.tree.dispose(batches as never);
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
    strata: strataCnnStep,
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
    jax: jaxEpoch,
  }),
];
