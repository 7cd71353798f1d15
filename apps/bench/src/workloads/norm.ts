import '@strata/autograd';
import { BatchNorm2d, LayerNorm } from '@strata/layers-norm';
import { Tensor } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { type JaxArray, jaxArray, jaxRunner, readJax } from '../peers/jax.js';
import { type Jax, type Runner, type Tfjs, type Workload, defineWorkload } from '../workload.js';
import { channelsLast, product } from './channels-last.js';

type TfTensor = ReturnType<Tfjs['tensor']>;

/** The input and the upstream gradient of a normalization workload (same shape). */
interface NormInputs {
  shape: number[];
  x: Float32Array;
  upstream: Float32Array;
}

function normInputs(shape: number[], seed: number): () => NormInputs {
  return () => ({ shape, x: seededNormal(product(shape), seed), upstream: seededNormal(product(shape), seed + 1) });
}

/**
 * A layer's forward and the backward to its input, weight and bias from a
 * seeded upstream gradient (ones would make the input gradient of a
 * training-mode normalization vanish); the input gradient is checked.
 */
function strataRunner(layer: BatchNorm2d | LayerNorm, { shape, x: data, upstream: gradient }: NormInputs): Runner {
  const x = Tensor.fromData(data.slice(), shape).requiresGrad_(true);
  const upstream = Tensor.fromData(gradient.slice(), shape);
  return {
    run: () => {
      x.grad = null;
      layer.zeroGrad();
      layer.forward(x).backward(upstream);
    },
    output: () => Float32Array.from(x.grad!.contiguousData()),
  };
}

/** Runs `normalize(x, gamma, beta)` forward and its gradients w.r.t. all three with TF.js. */
function tfjsRunner(
  tf: Tfjs,
  x: TfTensor,
  upstream: TfTensor,
  features: number,
  normalize: (x: TfTensor, gamma: TfTensor, beta: TfTensor) => TfTensor,
  readGradient: (values: Float32Array) => Float32Array,
): Runner {
  const gamma = tf.ones([features]);
  const beta = tf.zeros([features]);
  const gradients = tf.grads((a, b, c) => normalize(a as TfTensor, b as TfTensor, c as TfTensor) as never);
  let result: TfTensor[] = [];
  return {
    run: () => {
      for (const tensor of result) tensor.dispose();
      result = gradients([x, gamma, beta] as never, upstream as never) as TfTensor[];
    },
    output: () => readGradient(Float32Array.from(result[0]!.dataSync())),
    dispose: () => {
      for (const tensor of [...result, x, upstream, gamma, beta]) tensor.dispose();
    },
  };
}

const EPS = 1e-5;

/**
 * jax-js's version: `nn.standardize` over `axes` (mean and biased variance, as training-mode
 * normalization uses), times the weight plus the bias (both of `affineShape`), and the
 * gradients to input, weight and bias of the sum against the upstream, jitted.
 */
function jaxNormRunner(jax: Jax, { shape, x: data, upstream: gradient }: NormInputs, axes: number[], affineShape: number[]): Runner {
  const np = jax.numpy;
  const x = jaxArray(jax, data, shape);
  const upstream = jaxArray(jax, gradient, shape);
  const features = product(affineShape);
  const gamma = np.ones([features]).reshape(affineShape);
  const beta = np.zeros([features]).reshape(affineShape);
  const loss = (input: JaxArray, weight: JaxArray, bias: JaxArray, dy: JaxArray): JaxArray =>
    jax.nn.standardize(input, axes, { epsilon: EPS }).mul(weight).add(bias).mul(dy).sum();
  const gradients = jax.jit(jax.grad(loss, { argnums: [0, 1, 2] }) as (...arrays: JaxArray[]) => JaxArray[]);
  return jaxRunner(jax, () => gradients(x.ref, gamma.ref, beta.ref, upstream.ref), (result) => readJax(result[0]!), [x, upstream, gamma, beta]);
}

/** batchnorm2d_fwd_bwd and layernorm_fwd_bwd of WORKLOADS.md. */
export const normWorkloads: readonly Workload[] = [
  defineWorkload<NormInputs>({
    id: 'batchnorm2d_fwd_bwd',
    summary: 'BatchNorm2d(32) training mode on x[32,32,32,32], backward to x, weight, bias from a seeded upstream',
    setup: normInputs([32, 32, 32, 32], 31),
    strata: (inputs) => strataRunner(new BatchNorm2d(32), inputs),
    tfjs: (tf, { shape, x, upstream }) => {
      const [batch, channels, height, width] = shape as [number, number, number, number];
      const nhwc = [batch, height, width, channels];
      return tfjsRunner(
        tf,
        tf.tensor4d(channelsLast(x, shape), nhwc as never, 'float32'),
        tf.tensor4d(channelsLast(upstream, shape), nhwc as never, 'float32'),
        channels,
        (input, gamma, beta) => {
          const { mean, variance } = tf.moments(input, [0, 1, 2]);
          return tf.batchNorm(input as never, mean, variance, beta, gamma, EPS);
        },
        (values) => channelsLast(values, shape, true),
      );
    },
    jax: (jax, inputs) => jaxNormRunner(jax, inputs, [0, 2, 3], [1, inputs.shape[1]!, 1, 1]),
  }),
  defineWorkload<NormInputs>({
    id: 'layernorm_fwd_bwd',
    summary: 'LayerNorm(256) on x[64,128,256], backward to x, weight, bias from a seeded upstream',
    setup: normInputs([64, 128, 256], 41),
    strata: (inputs) => strataRunner(new LayerNorm(256), inputs),
    tfjs: (tf, { shape, x, upstream }) =>
      tfjsRunner(
        tf,
        tf.tensor(x, shape, 'float32'),
        tf.tensor(upstream, shape, 'float32'),
        shape[2]!,
        // TF.js has no layer norm op: tfjs-layers' LayerNormalization computes it this way.
        (input, gamma, beta) => {
          const { mean, variance } = tf.moments(input, -1, true);
          return tf.add(tf.mul(tf.mul(tf.sub(input, mean), tf.rsqrt(tf.add(variance, EPS))), gamma), beta);
        },
        (values) => values,
      ),
    jax: (jax, inputs) => jaxNormRunner(jax, inputs, [-1], [inputs.shape[2]!]),
  }),
];
