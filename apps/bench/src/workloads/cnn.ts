import { existsSync } from 'node:fs';
import { noGrad } from '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d } from '@strata/layers-norm';
import { CrossEntropyLoss } from '@strata/losses';
import { Sequential } from '@strata/module';
import { Adam } from '@strata/optim';
import { Generator, Tensor, manualSeed } from '@strata/tensor';
import { Accuracy, DataLoader, evaluate, fit } from '@strata/train';
import { loadFashionMnist } from '@strata/train/node';
import { seededNormal } from '../inputs.js';
import { type Runner, type Tfjs, UnsupportedError, type Workload, defineWorkload } from '../workload.js';

type TfTensor = ReturnType<Tfjs['tensor']>;
type TfVariable = ReturnType<Tfjs['variable']>;
type TfTensor4D = ReturnType<Tfjs['tensor4d']>;

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
  state: Record<string, { shape: number[]; data: Float32Array }>;
}

export function setup(): CnnInputs {
  const generator = new Generator(71);
  const labels = new Int32Array(BATCH);
  for (let i = 0; i < BATCH; i++) labels[i] = generator.nextInt(0, CLASSES);
  manualSeed(72);
  const state: CnnInputs['state'] = {};
  for (const [key, tensor] of Object.entries(cnn().stateDict())) {
    if (tensor.dtype === 'float32') state[key] = { shape: [...tensor.shape], data: Float32Array.from(tensor.contiguousData()) };
  }
  return { x: seededNormal(BATCH * 28 * 28, 70), labels, state };
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

/** PyTorch's [out, in, kh, kw] convolution weight as TF.js's [kh, kw, in, out]. */
function convFilter(data: Float32Array, [outputs, inputs, height, width]: number[]): { data: Float32Array; shape: number[] } {
  const result = new Float32Array(data.length);
  for (let o = 0; o < outputs!; o++) {
    for (let i = 0; i < inputs!; i++) {
      for (let h = 0; h < height!; h++) {
        for (let w = 0; w < width!; w++) result[((h * width! + w) * inputs! + i) * outputs! + o] = data[((o * inputs! + i) * height! + h) * width! + w]!;
      }
    }
  }
  return { data: result, shape: [height!, width!, inputs!, outputs!] };
}

/**
 * PyTorch's Linear weight [out, in] as TF.js's [in, out]; `channels` > 0 also
 * reorders the inputs from a channels-first flatten (c, h, w) to the
 * channels-last one TF.js's NHWC layout gives (h, w, c).
 */
function denseKernel(data: Float32Array, [outputs, inputs]: number[], channels = 0): Float32Array {
  const result = new Float32Array(data.length);
  const plane = channels > 0 ? inputs! / channels : 0;
  for (let o = 0; o < outputs!; o++) {
    for (let i = 0; i < inputs!; i++) {
      const row = channels > 0 ? (i % plane) * channels + Math.floor(i / plane) : i;
      result[row * outputs! + o] = data[o * inputs! + i]!;
    }
  }
  return result;
}

/** The CNN in TF.js, channels-last, its variables made from the shared initial weights. */
export interface TfjsCnn {
  variables: TfVariable[];
  /** The logits of the batch: BatchNorm with the batch's moments (training mode), dropout at `dropout`. */
  forward(dropout: number): TfTensor;
  dispose(): void;
}

/** Builds {@link TfjsCnn}: PyTorch's layouts turned into TF.js's (NHWC activations, [kh, kw, in, out] filters, [in, out] dense kernels). */
export function tfjsCnn(tf: Tfjs, inputs: CnnInputs): TfjsCnn {
  const x = tf.tensor4d(channelsLast(inputs.x), [BATCH, 28, 28, 1], 'float32');
  const s = inputs.state;
  const filter1 = convFilter(s['0.weight']!.data, s['0.weight']!.shape);
  const filter2 = convFilter(s['3.weight']!.data, s['3.weight']!.shape);
  const variables = [
    tf.variable(tf.tensor4d(filter1.data, filter1.shape as [number, number, number, number])),
    tf.variable(tf.tensor1d(s['0.bias']!.data)),
    tf.variable(tf.tensor4d(filter2.data, filter2.shape as [number, number, number, number])),
    tf.variable(tf.tensor1d(s['3.bias']!.data)),
    tf.variable(tf.tensor1d(s['4.weight']!.data)),
    tf.variable(tf.tensor1d(s['4.bias']!.data)),
    tf.variable(tf.tensor2d(denseKernel(s['9.weight']!.data, s['9.weight']!.shape, 64), [1600, 128])),
    tf.variable(tf.tensor1d(s['9.bias']!.data)),
    tf.variable(tf.tensor2d(denseKernel(s['11.weight']!.data, s['11.weight']!.shape), [128, 10])),
    tf.variable(tf.tensor1d(s['11.bias']!.data)),
  ];
  const forward = (dropout: number): TfTensor => {
    const [weight1, bias1, weight2, bias2, gamma, beta, dense1, denseBias1, dense2, denseBias2] = variables.map((variable) => variable as TfTensor4D);
    let h: TfTensor4D = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, weight1!, 1, 'valid'), bias1!)) as TfTensor4D, 2, 2, 'valid');
    h = tf.add(tf.conv2d(h, weight2!, 1, 'valid'), bias2!);
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    h = tf.maxPool(tf.relu(tf.batchNorm(h, mean, variance, beta!, gamma!, 1e-5)) as TfTensor4D, 2, 2, 'valid');
    let features: TfTensor = tf.reshape(h, [BATCH, 1600]);
    if (dropout > 0) features = tf.dropout(features, dropout);
    features = tf.relu(tf.add(tf.matMul(features, dense1!), denseBias1!));
    return tf.add(tf.matMul(features, dense2!), denseBias2!);
  };
  return {
    variables,
    forward,
    dispose: () => {
      for (const tensor of [...variables, x]) tensor.dispose();
    },
  };
}

/**
 * The same step in TF.js, channels-last (NHWC, TF.js's layout; the same
 * FLOPs): `optimizer.minimize` with `tf.train.adam` (epsilon 1e-8 as
 * PyTorch's). BatchNorm normalizes with the batch's moments; the running
 * statistics (two 64-element updates) are left out.
 */
function tfjs(tf: Tfjs, inputs: CnnInputs): Runner {
  if (tf.getBackend() === 'wasm') throw new UnsupportedError('TF.js wasm has no Conv2DBackpropFilter kernel (the weight gradient)');
  const targets = tf.oneHot(tf.tensor1d(inputs.labels, 'int32'), CLASSES);
  let model = tfjsCnn(tf, inputs);
  let optimizer = tf.train.adam(LR, 0.9, 0.999, 1e-8);
  const step = (dropout: number): void => {
    tf.tidy(() => {
      optimizer.minimize((() => tf.losses.softmaxCrossEntropy(targets, model.forward(dropout))) as never, false, model.variables);
    });
  };
  return {
    run: () => step(0.25),
    output: () => {
      model.dispose();
      optimizer.dispose();
      model = tfjsCnn(tf, inputs);
      optimizer = tf.train.adam(LR, 0.9, 0.999, 1e-8);
      for (let i = 0; i < CHECK_STEPS; i++) step(0);
      return tf.tidy(() => Float32Array.from(model.forward(0).dataSync()));
    },
    dispose: () => {
      model.dispose();
      targets.dispose();
      optimizer.dispose();
    },
  };
}

/** [N, 1, 28, 28] → [N, 28, 28, 1]: with one channel, the same numbers in the same order. */
function channelsLast(data: Float32Array): Float32Array {
  return data.slice();
}

/** The training and test sets of Fashion-MNIST, loaded when the Strata runner is made (so a missing folder fails that cell only). */
interface EpochInputs {
  folder: string;
}

/**
 * One epoch of the CNN over the 60,000 training images (batch 64, shuffled
 * with seed 0, Adam lr 1e-3) with `@strata/train`'s `fit`, then the test
 * accuracy on the 10,000 test images with `evaluate`, reported under the
 * table. Timed through `runAsync`: `fit` lets the event loop turn between
 * batches, which a synchronous loop of 938 steps would not (see `fit`).
 */
function strataEpoch({ folder }: EpochInputs): Runner {
  if (!existsSync(folder)) throw new Error(`${folder} not found (apt-get install dataset-fashion-mnist)`);
  const train = loadFashionMnist(folder, { split: 'train' });
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
  }),
  defineWorkload<EpochInputs>({
    id: 'fashion_mnist_epoch',
    summary: 'the CNN, one epoch over the 60,000 Fashion-MNIST training images (batch 64, Adam lr 1e-3, seed 0), then the test accuracy',
    onlyOnRequest: true,
    policy: { warmups: 0, reps: 1, minSeconds: 0 },
    setup: () => ({ folder: FASHION_MNIST_FOLDER }),
    strata: strataEpoch,
    tfjs: () => {
      throw new UnsupportedError('not run: one epoch takes about 11 hours on TF.js cpu (PEERS.md: 42 s a step, 938 steps), and wasm lacks the conv weight gradient');
    },
  }),
];
