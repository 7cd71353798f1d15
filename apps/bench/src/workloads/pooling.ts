import '@strata/autograd';
import { avgPool2d, maxPool2d } from '@strata/layers-conv';
import { Tensor, ones } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { type JaxArray, jaxArray, jaxRunner, readJax } from '../peers/jax.js';
import { type Jax, type Runner, type Tfjs, UnsupportedError, type Workload, defineWorkload } from '../workload.js';
import { channelsLast, product } from './channels-last.js';

type TfTensor = ReturnType<Tfjs['tensor']>;

/** One pooling workload of WORKLOADS.md: forward, then the input gradient from ones. */
interface PoolSpec {
  id: string;
  summary: string;
  kind: 'max' | 'avg';
  /** Input [N, C, H, W]. */
  input: [number, number, number, number];
  kernel: number;
  stride: number;
  padding: number;
}

function outputSpatial(spec: PoolSpec): number[] {
  return spec.input.slice(2).map((size) => Math.floor((size + 2 * spec.padding - spec.kernel) / spec.stride) + 1);
}

function strataRunner(spec: PoolSpec, data: Float32Array): Runner {
  const x = Tensor.fromData(data.slice(), spec.input).requiresGrad_(true);
  const options = { stride: spec.stride, padding: spec.padding };
  const upstream = ones([spec.input[0], spec.input[1], ...outputSpatial(spec)]);
  return {
    run: () => {
      x.grad = null;
      const y = spec.kind === 'max' ? maxPool2d(x, spec.kernel, options) : avgPool2d(x, spec.kernel, options);
      y.backward(upstream);
    },
    output: () => Float32Array.from(x.grad!.contiguousData()),
  };
}

/**
 * TF.js's forward and backward. Its Node bundles register no gradient
 * functions (only the `@tensorflow/tfjs` umbrella imports them), so the
 * backward is the gradient kernel `tf.grad` would run: `MaxPoolGrad` or
 * `AvgPoolGrad`, and for the zero padding the slice that is `pad`'s gradient.
 */
function tfjsRunner(spec: PoolSpec, tf: Tfjs, data: Float32Array): Runner {
  if (spec.kind === 'max' && tf.getBackend() === 'wasm') {
    // Checked against the cpu backend: on a [1, 32, 32, 1] input it already leaves most windows without gradient.
    throw new UnsupportedError('TF.js wasm MaxPoolGrad returns wrong gradients for inputs this wide (most windows get none)');
  }
  const [batch, channels, height, width] = spec.input;
  const x = tf.tensor4d(channelsLast(data, spec.input), [batch, height, width, channels], 'float32');
  const pad = spec.padding;
  const attributes = { filterSize: spec.kernel, strides: spec.stride, pad: 'valid' as const };
  const run = (): TfTensor[] => {
    if (spec.kind === 'max') {
      const y = tf.maxPool(x, spec.kernel, spec.stride, 'valid');
      const dy = tf.onesLike(y);
      const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { ...attributes }) as TfTensor;
      return [y, dy, dx];
    }
    // TF.js's padded average leaves the padding out of the divisor; PyTorch's default
    // (countIncludePad) counts it: an average over the zero-padded input.
    const padded = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
    const y = tf.avgPool(padded, spec.kernel, spec.stride, 'valid');
    const dy = tf.onesLike(y);
    const dPadded = tf.engine().runKernel('AvgPoolGrad', { dy, input: padded }, { ...attributes }) as TfTensor;
    const dx = tf.slice(dPadded, [0, pad, pad, 0], [batch, height, width, channels]);
    return [padded, y, dy, dPadded, dx];
  };
  let results: TfTensor[] = [];
  const disposeResults = (): void => results.forEach((tensor) => tensor.dispose());
  return {
    run: () => {
      disposeResults();
      results = run();
    },
    output: () => channelsLast(Float32Array.from(results[results.length - 1]!.dataSync()), [batch, channels, height, width], true),
    dispose: () => {
      disposeResults();
      x.dispose();
    },
  };
}

/**
 * jax-js's version: `lax.reduceWindow` with `max` or `mean` over each window (the average over the
 * zero-padded input, PyTorch's `countIncludePad`), the input gradient as `grad` of the sum (jitted for max).
 */
function jaxPoolRunner(spec: PoolSpec, jax: Jax, data: Float32Array): Runner {
  const np = jax.numpy;
  const x = jaxArray(jax, data, spec.input);
  const window = [spec.kernel, spec.kernel];
  const strides = [spec.stride, spec.stride];
  const pad = spec.padding;
  const pool = (input: JaxArray): JaxArray =>
    spec.kind === 'max'
      ? jax.lax.reduceWindow(input, (values) => np.max(values), window, strides)
      : jax.lax.reduceWindow(np.pad(input, [[0, 0], [0, 0], [pad, pad], [pad, pad]]), (values) => np.mean(values), window, strides);
  const eager = jax.grad((input: JaxArray) => pool(input).sum()) as (input: JaxArray) => JaxArray;
  // jax-js 0.1.25's jit miscompiles the gradient of the padded average (every input gets the same
  // 16/9, checked on [1, 1, 4, 4]); run eagerly, the gradient is right.
  const gradient = spec.kind === 'max' ? jax.jit(eager) : eager;
  return jaxRunner(jax, () => gradient(x.ref), readJax, [x]);
}

function poolWorkload(spec: PoolSpec): Workload {
  return defineWorkload<Float32Array>({
    id: spec.id,
    summary: spec.summary,
    setup: () => seededNormal(product(spec.input), 21),
    strata: (data) => strataRunner(spec, data),
    tfjs: (tf, data) => tfjsRunner(spec, tf, data),
    jax: (jax, data) => jaxPoolRunner(spec, jax, data),
  });
}

/** maxpool2d_fwd_bwd and avgpool2d_fwd_bwd of WORKLOADS.md. */
export const poolingWorkloads: readonly Workload[] = [
  poolWorkload({
    id: 'maxpool2d_fwd_bwd', summary: 'max_pool2d x[32,32,32,32], kernel 2, stride 2, backward to x from ones',
    kind: 'max', input: [32, 32, 32, 32], kernel: 2, stride: 2, padding: 0,
  }),
  poolWorkload({
    id: 'avgpool2d_fwd_bwd', summary: 'avg_pool2d x[32,32,32,32], kernel 3, stride 2, padding 1, backward to x from ones',
    kind: 'avg', input: [32, 32, 32, 32], kernel: 3, stride: 2, padding: 1,
  }),
];
