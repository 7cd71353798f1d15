import type { Tfjs } from '../workload.js';

type TfTensor = ReturnType<Tfjs['tensor']>;
type Attributes = Record<string, unknown>;

/**
 * Registers, in TensorFlow.js, the gradients the convolution workloads
 * differentiate through: Conv2D, Conv3D, Conv2DBackpropInput (conv2dTranspose),
 * Add (the bias) and Reshape (conv1d reshapes to conv2d).
 *
 * TF.js keeps its gradient functions in `@tensorflow/tfjs-core/dist/register_all_gradients.js`,
 * an ES module whose extensionless imports Node cannot load, and the
 * CommonJS build Node gets has none. These mirror TF.js's own gradient
 * configs (tfjs-core/src/gradients/*_grad.ts): each runs the same backprop
 * kernels of the active backend, so the timing is TF.js's. A kernel name
 * that already has a gradient is left alone.
 */
export function registerConvGradients(tf: Tfjs): void {
  const run = (kernel: string, inputs: Record<string, TfTensor>, attributes: Attributes): TfTensor =>
    tf.engine().runKernel(kernel, inputs as never, attributes as never) as TfTensor;
  const register = (
    kernelName: string, inputsToSave: string[], gradFunc: (dy: TfTensor, saved: TfTensor[], attributes: Attributes) => Record<string, () => TfTensor>,
  ): void => {
    if (tf.getGradient(kernelName) !== undefined) return;
    tf.registerGradient({ kernelName, inputsToSave, gradFunc: gradFunc as never });
  };

  register('Conv2D', ['x', 'filter'], (dy, [x, filter], { strides, pad, dataFormat, dimRoundingMode }) => ({
    x: () => run('Conv2DBackpropInput', { dy, filter: filter! }, { strides, pad, dataFormat, dimRoundingMode, inputShape: x!.shape }),
    filter: () => run('Conv2DBackpropFilter', { x: x!, dy }, { strides, pad, dataFormat, dimRoundingMode, filterShape: filter!.shape }),
  }));
  register('Conv3D', ['x', 'filter'], (dy, [x, filter], { strides, pad }) => ({
    x: () => run('Conv3DBackpropInputV2', { dy, filter: filter! }, { strides, pad, inputShape: x!.shape }),
    filter: () => run('Conv3DBackpropFilterV2', { x: x!, dy }, { strides, pad, filterShape: filter!.shape }),
  }));
  register('Conv2DBackpropInput', ['dy', 'filter'], (ddx, [dy, filter], { strides, pad, dataFormat, dimRoundingMode }) => ({
    dy: () => run('Conv2D', { x: ddx, filter: filter! }, { strides, pad, dataFormat, dilations: 1, dimRoundingMode }),
    filter: () => run('Conv2DBackpropFilter', { x: ddx, dy: dy! }, { strides, pad, dataFormat, dimRoundingMode, filterShape: filter!.shape }),
  }));
  register('Add', ['a', 'b'], (dy, [a, b]) => ({
    a: () => unbroadcast(tf, dy, a!.shape),
    b: () => unbroadcast(tf, dy, b!.shape),
  }));
  register('Reshape', ['x'], (dy, [x]) => ({ x: () => tf.reshape(dy, x!.shape) }));
}

/** `gradient` summed over the dimensions `shape` was broadcast along, in `shape`. */
function unbroadcast(tf: Tfjs, gradient: TfTensor, shape: readonly number[]): TfTensor {
  const lead = gradient.shape.length - shape.length;
  const axes = gradient.shape.flatMap((size, d) => (d < lead || (shape[d - lead] === 1 && size !== 1) ? [d] : []));
  return tf.reshape(axes.length > 0 ? tf.sum(gradient, axes) : gradient, [...shape]);
}
