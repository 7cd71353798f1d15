import { borrowCpuKernels } from '../peers/borrow.js';
import type { Tfjs } from '../workload.js';

type TfTensor = ReturnType<Tfjs['tensor']>;
type TfVariable = ReturnType<Tfjs['variable']>;
type TfTensor4D = ReturnType<Tfjs['tensor4d']>;

/** A state dict as plain arrays: PyTorch's key names and layouts, float32 entries only. */
export type CnnState = Record<string, { shape: number[]; data: Float32Array }>;

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

/** The CNN in TF.js, channels-last, its variables made from a PyTorch-layout state dict. */
export interface TfjsCnn {
  variables: TfVariable[];
  /** The logits of a batch [N, 28, 28, 1]: BatchNorm with the batch's moments (training mode), dropout at `dropout`. */
  forward(x: TfTensor4D, dropout: number): TfTensor;
  dispose(): void;
}

/** Builds {@link TfjsCnn}: PyTorch's layouts turned into TF.js's (NHWC activations, [kh, kw, in, out] filters, [in, out] dense kernels). */
export function tfjsCnn(tf: Tfjs, s: CnnState): TfjsCnn {
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
  const forward = (x: TfTensor4D, dropout: number): TfTensor => {
    const [weight1, bias1, weight2, bias2, gamma, beta, dense1, denseBias1, dense2, denseBias2] = variables.map((variable) => variable as TfTensor4D);
    let h: TfTensor4D = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, weight1!, 1, 'valid'), bias1!)) as TfTensor4D, 2, 2, 'valid');
    h = tf.add(tf.conv2d(h, weight2!, 1, 'valid'), bias2!);
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    h = tf.maxPool(tf.relu(tf.batchNorm(h, mean, variance, beta!, gamma!, 1e-5)) as TfTensor4D, 2, 2, 'valid');
    let features: TfTensor = tf.reshape(h, [x.shape[0], 1600]);
    if (dropout > 0) features = tf.dropout(features, dropout);
    features = tf.relu(tf.add(tf.matMul(features, dense1!), denseBias1!));
    return tf.add(tf.matMul(features, dense2!), denseBias2!);
  };
  return {
    variables,
    forward,
    dispose: () => {
      for (const variable of variables) variable.dispose();
    },
  };
}

/** A batch of images [N, 1, 28, 28] (row-major, as Strata holds them) and class indices, as TF.js tensors. */
export interface TfjsBatch {
  /** [N, 28, 28, 1]: with one channel, NCHW and NHWC hold the same numbers in the same order. */
  x: TfTensor4D;
  /** One-hot [N, classes]. */
  targets: TfTensor;
}

/** Copies a batch into TF.js: the images as {@link TfjsBatch.x}, the labels one-hot over `classes`. */
export function tfjsBatch(tf: Tfjs, images: Float32Array, labels: Int32Array, classes: number): TfjsBatch {
  return {
    x: tf.tensor4d(images.slice(), [labels.length, 28, 28, 1], 'float32'),
    targets: tf.oneHot(tf.tensor1d(labels, 'int32'), classes),
  };
}

/**
 * The CNN's training step in TF.js (the same FLOPs as Strata's, channels-last):
 * `optimizer.minimize` with `tf.train.adam` (epsilon 1e-8 as PyTorch's).
 * BatchNorm normalizes with the batch's moments; the running statistics (two
 * 64-element updates) are left out. On wasm, which has no
 * `Conv2DBackpropFilter` (the weight gradient), that kernel is borrowed from
 * cpu as PEERS.md did, until `dispose()`.
 */
export class TfjsCnnTrainer {
  private model: TfjsCnn;
  private optimizer: ReturnType<Tfjs['train']['adam']>;
  private readonly returnKernels: () => void;

  constructor(
    private readonly tf: Tfjs,
    private readonly state: CnnState,
    private readonly lr: number,
  ) {
    this.returnKernels = tf.getBackend() === 'wasm' ? borrowCpuKernels(tf, ['Conv2DBackpropFilter']) : () => {};
    this.model = tfjsCnn(tf, state);
    this.optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  }

  /** The name of what wasm borrowed, for a note; undefined on cpu. */
  get borrowed(): string | undefined {
    return this.tf.getBackend() === 'wasm' ? 'Conv2DBackpropFilter borrowed from TF.js cpu (wasm has none), as in PEERS.md' : undefined;
  }

  /** One step of Adam on the batch's softmax cross-entropy. */
  step(batch: TfjsBatch, dropout: number): void {
    this.tf.tidy(() => {
      this.optimizer.minimize((() => this.tf.losses.softmaxCrossEntropy(batch.targets, this.model.forward(batch.x, dropout))) as never, false, this.model.variables);
    });
  }

  /** Starts again from the initial weights with a fresh optimizer. */
  reset(): void {
    this.model.dispose();
    this.optimizer.dispose();
    this.model = tfjsCnn(this.tf, this.state);
    this.optimizer = this.tf.train.adam(this.lr, 0.9, 0.999, 1e-8);
  }

  /** The logits of `batch` without dropout, as float32. */
  logits(batch: TfjsBatch): Float32Array {
    return this.tf.tidy(() => Float32Array.from(this.model.forward(batch.x, 0).dataSync()));
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
    this.returnKernels();
  }
}
