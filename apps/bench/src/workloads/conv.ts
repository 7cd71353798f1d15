import '@strata/autograd';
import { conv1d, conv2d, conv3d, convTranspose2d } from '@strata/layers-conv';
import { Tensor, ones } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { type JaxArray, jaxArray, jaxRunner, readJax } from '../peers/jax.js';
import { type Jax, type Runner, type Tfjs, UnsupportedError, type Workload, defineWorkload } from '../workload.js';
import { channelsLast, product } from './channels-last.js';

type TfTensor = ReturnType<Tfjs['tensor']>;

/** One convolution workload of WORKLOADS.md, NC…-layout sizes as PyTorch takes them. */
interface ConvSpec {
  id: string;
  summary: string;
  /** Input [N, C, ...spatial]. */
  input: number[];
  /** Weight as PyTorch lays it out: [out, in, ...kernel], or [in, out, ...kernel] for the transposed convolution. */
  weight: number[];
  bias: boolean;
  stride: number;
  padding: number;
  transposed: boolean;
  backward: boolean;
}

interface ConvInputs {
  x: Float32Array;
  w: Float32Array;
  b: Float32Array | null;
}

/** Multiply-adds × 2 of the forward pass; the backward pass costs twice that (input and weight gradients). */
function forwardFlop(spec: ConvSpec): number {
  const [, , ...kernel] = spec.weight;
  const spatial = spec.transposed ? spec.input.slice(2) : outputSpatial(spec);
  // Every output (or, transposed, every input) position meets in·out·kernel weights.
  return 2 * spec.input[0]! * spec.weight[0]! * spec.weight[1]! * product(kernel) * product(spatial);
}

function outputSpatial(spec: ConvSpec): number[] {
  const kernel = spec.weight.slice(2);
  return spec.input.slice(2).map((size, d) =>
    spec.transposed
      ? (size - 1) * spec.stride - 2 * spec.padding + kernel[d]!
      : Math.floor((size + 2 * spec.padding - kernel[d]!) / spec.stride) + 1,
  );
}

/** PyTorch's [a, b, ...K] weight → TF.js's [...K, b, a] filter (or back). */
function filterLayout(data: Float32Array, shape: readonly number[], back = false): Float32Array {
  const [a, b] = [shape[0]!, shape[1]!];
  const volume = product(shape.slice(2));
  const result = new Float32Array(data.length);
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      for (let k = 0; k < volume; k++) {
        const torchIndex = (i * b + j) * volume + k;
        const tfIndex = (k * b + j) * a + i;
        if (back) result[torchIndex] = data[tfIndex]!;
        else result[tfIndex] = data[torchIndex]!;
      }
    }
  }
  return result;
}

function strataRunner(spec: ConvSpec, inputs: ConvInputs): Runner {
  const rank = spec.input.length - 2;
  const x = Tensor.fromData(inputs.x.slice(), spec.input);
  const w = Tensor.fromData(inputs.w.slice(), spec.weight);
  const b = inputs.b === null ? null : Tensor.fromData(inputs.b.slice(), [inputs.b.length]);
  const options = { stride: spec.stride, padding: spec.padding };
  const apply = (): Tensor => {
    if (spec.transposed) return convTranspose2d(x, w, b, options);
    return rank === 1 ? conv1d(x, w, b, options) : rank === 2 ? conv2d(x, w, b, options) : conv3d(x, w, b, options);
  };
  let result: Tensor | null = null;
  if (!spec.backward) {
    return {
      run: () => {
        result = apply();
      },
      output: () => Float32Array.from(result!.contiguousData()),
    };
  }
  for (const leaf of [x, w, b]) leaf?.requiresGrad_(true);
  const upstream = ones([spec.input[0]!, spec.transposed ? spec.weight[1]! : spec.weight[0]!, ...outputSpatial(spec)]);
  return {
    run: () => {
      x.grad = null;
      w.grad = null;
      if (b !== null) b.grad = null;
      apply().backward(upstream);
    },
    output: () => Float32Array.from(w.grad!.contiguousData()),
  };
}

function tfjsRunner(spec: ConvSpec, tf: Tfjs, inputs: ConvInputs): Runner {
  const rank = spec.input.length - 2;
  const backend = tf.getBackend();
  if (spec.backward && backend === 'wasm' && rank !== 3) {
    // conv1d runs as conv2d in TF.js, and conv2dTranspose's weight gradient is a conv2d filter gradient.
    throw new UnsupportedError('TF.js wasm has no Conv2DBackpropFilter kernel (the weight gradient)');
  }
  const inputShape = [spec.input[0]!, ...spec.input.slice(2), spec.input[1]!];
  const filterShape = [...spec.weight.slice(2), spec.weight[1]!, spec.weight[0]!];
  const x = tf.tensor(channelsLast(inputs.x, spec.input), inputShape, 'float32');
  const w = tf.tensor(filterLayout(inputs.w, spec.weight), filterShape, 'float32');
  const b = inputs.b === null ? null : tf.tensor1d(inputs.b, 'float32');
  const outputShape = [spec.input[0]!, ...outputSpatial(spec), spec.transposed ? spec.weight[1]! : spec.weight[0]!];
  const pad = spec.padding;
  const apply = (input: TfTensor, filter: TfTensor, bias: TfTensor | null): TfTensor => {
    let y: TfTensor;
    if (spec.transposed) {
      // With stride 2, kernel 4, padding 1 the output is exactly input·stride: TF.js's 'same'.
      y = tf.conv2dTranspose(input as never, filter as never, outputShape as [number, number, number, number], spec.stride, 'same');
    } else if (rank === 1) {
      // A numeric pad would also pad the height-1 axis conv1d reshapes to; kernel 5, padding 2, stride 1 is 'same'.
      y = tf.conv1d(input as never, filter as never, spec.stride, 'same');
    } else if (rank === 2) {
      y = tf.conv2d(input as never, filter as never, spec.stride, pad);
    } else {
      // Kernel 3, padding 1, stride 1: 'same'.
      y = tf.conv3d(input as never, filter as never, spec.stride, 'same');
    }
    return bias === null ? y : tf.add(y, bias);
  };
  const disposeAll = (tensors: readonly (TfTensor | null)[]): void => tensors.forEach((tensor) => tensor?.dispose());
  let results: TfTensor[] = [];
  const dispose = (): void => {
    disposeAll(results);
    disposeAll([x, w, b]);
  };
  if (!spec.backward) {
    return {
      run: () => {
        disposeAll(results);
        // tidy frees the intermediates (the convolution before the bias is added).
        results = [tf.tidy(() => apply(x, w, b))];
      },
      output: () => channelsLast(Float32Array.from(results[0]!.dataSync()), [outputShape[0]!, outputShape[outputShape.length - 1]!, ...outputShape.slice(1, -1)], true),
      dispose,
    };
  }
  const gradients = tf.grads((input: TfTensor, filter: TfTensor, bias?: TfTensor) => apply(input, filter, bias ?? null));
  return {
    run: () => {
      disposeAll(results);
      // dy defaults to ones, as WORKLOADS.md asks; tidy frees the forward output tf.grads leaves behind.
      results = tf.tidy(() => gradients(b === null ? [x, w] : [x, w, b]));
    },
    output: () => filterLayout(Float32Array.from(results[1]!.dataSync()), spec.weight, true),
    dispose,
  };
}

/**
 * jax-js's version, in PyTorch's layouts (`lax.convGeneralDilated` takes [N, C, ...S] inputs and [out, in, ...K]
 * kernels; `lax.convTranspose` with `transposeKernel` takes PyTorch's [in, out, ...K] and its padding), jitted,
 * the backward as `grad` of the sum (an upstream of ones).
 */
function jaxConvRunner(spec: ConvSpec, jax: Jax, inputs: ConvInputs): Runner {
  const rank = spec.input.length - 2;
  const outputs = spec.transposed ? spec.weight[1]! : spec.weight[0]!;
  const x = jaxArray(jax, inputs.x, spec.input);
  const w = jaxArray(jax, inputs.w, spec.weight);
  const b = inputs.b === null ? null : jaxArray(jax, inputs.b, [1, outputs, ...new Array<number>(rank).fill(1)]);
  const strides = new Array<number>(rank).fill(spec.stride);
  const padding = Array.from({ length: rank }, (): [number, number] => [spec.padding, spec.padding]);
  const apply = (input: JaxArray, filter: JaxArray, bias?: JaxArray): JaxArray => {
    const y = spec.transposed
      ? jax.lax.convTranspose(input, filter, strides, padding, { transposeKernel: true })
      : jax.lax.convGeneralDilated(input, filter, strides, padding);
    return bias === undefined ? y : y.add(bias);
  };
  const held = [x, w, ...(b === null ? [] : [b])];
  if (!spec.backward) {
    const forward = jax.jit(apply);
    return jaxRunner(jax, () => (b === null ? forward(x.ref, w.ref) : forward(x.ref, w.ref, b.ref)), readJax, held);
  }
  const gradients = jax.jit(jax.grad((input: JaxArray, filter: JaxArray, bias?: JaxArray) => apply(input, filter, bias).sum(), {
    argnums: b === null ? [0, 1] : [0, 1, 2],
  }) as (...arrays: JaxArray[]) => JaxArray[]);
  return jaxRunner(jax, () => gradients(...held.map((array) => array.ref)), (result) => readJax(result[1]!), held);
}

function convWorkload(spec: ConvSpec): Workload {
  const forward = forwardFlop(spec);
  return defineWorkload<ConvInputs>({
    id: spec.id,
    summary: spec.summary,
    flop: spec.backward ? 3 * forward : forward,
    // Weight gradients sum tens of thousands of float32 products in another order than TF.js.
    tolerance: spec.backward ? 1e-3 : 1e-4,
    setup: () => ({
      x: seededNormal(product(spec.input), 11),
      w: seededNormal(product(spec.weight), 12),
      b: spec.bias ? seededNormal(spec.transposed ? spec.weight[1]! : spec.weight[0]!, 13) : null,
    }),
    strata: (inputs) => strataRunner(spec, inputs),
    tfjs: (tf, inputs) => tfjsRunner(spec, tf, inputs),
    jax: (jax, inputs) => jaxConvRunner(spec, jax, inputs),
  });
}

/** conv2d_fwd, conv2d_fwd_bwd, conv1d_fwd_bwd, conv3d_fwd_bwd, convt2d_fwd_bwd of WORKLOADS.md. */
export const convWorkloads: readonly Workload[] = [
  convWorkload({
    id: 'conv2d_fwd', summary: 'conv2d x[32,16,32,32] w[32,16,3,3] + bias, padding 1',
    input: [32, 16, 32, 32], weight: [32, 16, 3, 3], bias: true, stride: 1, padding: 1, transposed: false, backward: false,
  }),
  convWorkload({
    id: 'conv2d_fwd_bwd', summary: 'conv2d as conv2d_fwd, backward to x, w, b from ones',
    input: [32, 16, 32, 32], weight: [32, 16, 3, 3], bias: true, stride: 1, padding: 1, transposed: false, backward: true,
  }),
  convWorkload({
    id: 'conv1d_fwd_bwd', summary: 'conv1d x[32,64,256] w[64,64,5], padding 2, backward to x, w from ones',
    input: [32, 64, 256], weight: [64, 64, 5], bias: false, stride: 1, padding: 2, transposed: false, backward: true,
  }),
  convWorkload({
    id: 'conv3d_fwd_bwd', summary: 'conv3d x[4,8,16,32,32] w[16,8,3,3,3], padding 1, backward to x, w from ones',
    input: [4, 8, 16, 32, 32], weight: [16, 8, 3, 3, 3], bias: false, stride: 1, padding: 1, transposed: false, backward: true,
  }),
  convWorkload({
    id: 'convt2d_fwd_bwd', summary: 'conv_transpose2d x[16,32,16,16] w[32,16,4,4], stride 2, padding 1, backward to x, w from ones',
    input: [16, 32, 16, 16], weight: [32, 16, 4, 4], bias: false, stride: 2, padding: 1, transposed: true, backward: true,
  }),
];
