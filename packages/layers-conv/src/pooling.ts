/**
 * What the pooling ops share: the input checks, PyTorch's output-size rule,
 * the window geometry handed to the kernels, and the two index ops that max
 * pooling's gradient and max unpooling are made of. The families
 * themselves live in `max-pooling.ts`, `avg-pooling.ts`,
 * `adaptive-pooling.ts`, `lp-pooling.ts`, `unpooling.ts` and `fold.ts`.
 *
 * Every pooling kernel works on planes (the trailing spatial dimensions),
 * so an unbatched input `[C, ...spatial]` needs no reshaping.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { DTypeError, ShapeError, Tensor, checkTensor, formatShape, getKernel, isFloatingPoint, registerKernel } from '@strata/tensor';
import type { ConvolutionGeometry } from './kernels/geometry.js';
import { maxPoolBackwardKernel, maxUnpoolBackwardKernel } from './kernels/pooling-max.js';
import type { ResolvedPoolWindow } from './pooling-options.js';
import { COMPOSITE_BACKEND, maxPoolBackwardComposite, maxUnpoolBackwardComposite } from './reference-backward.js';

declare module '@strata/tensor' {
  // The index kernels of max pooling's gradient and of max unpooling's.
  interface KernelRegistry {
    /**
     * Zeros of `shape` with each plane of `values` added at its int32
     * `indices` (the last `rank` dimensions make a plane): max pooling's gradient.
     */
    maxPoolBackward: (values: Tensor, indices: Tensor, shape: readonly number[], rank: number) => Tensor;
    /** Each plane of `source` read at `indices` (shaped like `indices`): max unpooling's gradient. */
    maxUnpoolBackward: (source: Tensor, indices: Tensor, rank: number) => Tensor;
  }
}

// The defaults composed of forward ops, then the fused CPU loops over them.
registerKernel('maxPoolBackward', maxPoolBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('maxUnpoolBackward', maxUnpoolBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('maxPoolBackward', maxPoolBackwardKernel, { override: true });
registerKernel('maxUnpoolBackward', maxUnpoolBackwardKernel, { override: true });

const SPATIAL_NAMES: readonly string[] = ['L', 'H, W', 'D, H, W'];

/** Which dtypes an op takes. */
export type InputKinds = 'float' | 'float or int32';

/**
 * Checks a pooling input: a tensor of `rank + 1` (unbatched) or `rank + 2`
 * (batched) dimensions, every dimension but the batch non-empty, of a
 * floating-point dtype (or int32 where `kinds` allows it).
 * @throws TypeError for a non-tensor.
 * @throws ShapeError `maxPool2d: expected a 3-D (unbatched [C, H, W]) or 4-D (batched [N, C, H, W]) input, got shape [4, 4]`
 * @throws DTypeError `maxPool2d: expected a floating-point input, got int32`
 */
export function checkPoolingInput(name: string, rank: number, input: unknown, kinds: InputKinds = 'float'): Tensor {
  checkTensor(name, 'input', input);
  if (input.ndim !== rank + 1 && input.ndim !== rank + 2) {
    const spatial = SPATIAL_NAMES[rank - 1]!;
    throw new ShapeError(
      `${name}: expected a ${rank + 1}-D (unbatched [C, ${spatial}]) or ${rank + 2}-D (batched [N, C, ${spatial}]) input, got shape ${formatShape(input.shape)}`,
    );
  }
  const firstChecked = input.ndim === rank + 2 ? 1 : 0;
  if (input.shape.slice(firstChecked).some((size) => size === 0)) {
    throw new ShapeError(`${name}: expected an input with non-zero sizes except the batch dimension, got shape ${formatShape(input.shape)}`);
  }
  if (!isFloatingPoint(input.dtype) && !(kinds === 'float or int32' && input.dtype === 'int32')) {
    const expected = kinds === 'float' ? 'a floating-point input' : 'a floating-point or int32 input';
    throw new DTypeError(`${name}: expected ${expected}, got ${input.dtype}`);
  }
  return input;
}

/**
 * PyTorch's `pooling_output_shape`: `floor` (or `ceil` with `ceilMode`) of
 * `(size + 2·padding − dilation·(kernel − 1) − 1) / stride`, plus 1; in ceil
 * mode a last window that would start in the right padding is dropped.
 */
export function poolingOutputSize(
  size: number, kernel: number, padding: number, stride: number, dilation: number, ceilMode: boolean,
): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let output = Math.floor(span / stride) + 1;
  if (ceilMode && (output - 1) * stride >= size + padding) output--;
  return output;
}

/**
 * The geometry of a pooling window over `input`'s trailing `rank`
 * dimensions, after checking that every output size is positive.
 * @throws ShapeError `maxPool2d: the calculated output size [0, 0] is too small for input spatial size [4, 4] (kernelSize [5, 5], ...)`
 */
export function poolingGeometry(name: string, rank: number, input: Tensor, window: ResolvedPoolWindow): ConvolutionGeometry {
  const { kernelSize, stride, padding, dilation, ceilMode } = window;
  const inputSize = input.shape.slice(input.ndim - rank);
  const outputSize = inputSize.map((size, d) =>
    poolingOutputSize(size, kernelSize[d]!, padding[d]!, stride[d]!, dilation[d]!, ceilMode),
  );
  if (outputSize.some((size) => size < 1)) {
    throw new ShapeError(
      `${name}: the calculated output size ${formatShape(outputSize)} is too small for input spatial size ${formatShape(inputSize)} ` +
        `(kernelSize ${formatShape(kernelSize)}, stride ${formatShape(stride)}, padding ${formatShape(padding)}, dilation ${formatShape(dilation)})`,
    );
  }
  return Object.freeze({
    inputSize: Object.freeze(inputSize),
    outputSize: Object.freeze(outputSize),
    kernelSize,
    stride,
    padding,
    dilation,
    groups: 1,
  });
}

interface IndexState {
  /** The shape of the gathered source (what the gather's gradient scatters back into). */
  shape: readonly number[];
  rank: number;
}

/**
 * Zeros of `shape` with each plane of `values` added at its `indices`:
 * max pooling's gradient as an op. Linear in `values`, so its own gradient
 * is {@link gatherAtIndices}, which makes max pooling twice differentiable.
 */
export const scatterAtIndices: (values: Tensor, indices: Tensor, shape: readonly number[], rank: number) => Tensor = defineOp({
  name: 'maxPoolBackward',
  forward(ctx: OpContext<IndexState>, values: Tensor, indices: Tensor, shape: readonly number[], rank: number) {
    ctx.saveForBackward(indices);
    ctx.state.rank = rank;
    return getKernel('maxPoolBackward')(values, indices, shape, rank);
  },
  backward(ctx, gradOutput) {
    const [indices] = ctx.savedTensors as [Tensor];
    return [gatherAtIndices(gradOutput, indices, ctx.state.rank)];
  },
});

/**
 * Each plane of `source` read at `indices`: max unpooling's gradient as an
 * op. Its own gradient is {@link scatterAtIndices}.
 */
export const gatherAtIndices: (source: Tensor, indices: Tensor, rank: number) => Tensor = defineOp({
  name: 'maxUnpoolBackward',
  forward(ctx: OpContext<IndexState>, source: Tensor, indices: Tensor, rank: number) {
    ctx.saveForBackward(indices);
    Object.assign(ctx.state, { shape: source.shape, rank });
    return getKernel('maxUnpoolBackward')(source, indices, rank);
  },
  backward(ctx, gradOutput) {
    const [indices] = ctx.savedTensors as [Tensor];
    return [scatterAtIndices(gradOutput, indices, ctx.state.shape, ctx.state.rank)];
  },
});
