/**
 * The parametric ReLU: the functional op `prelu` and the layer `PReLU`,
 * like PyTorch's `F.prelu` and `nn.PReLU`, with a learnable slope for the
 * negative part (one, or one per channel).
 */
import { type OpContext, defineOp, sumToShape } from '@strata/autograd';
import { Module, Parameter, constant_ } from '@strata/module';
import {
  DTypeError,
  ShapeError,
  Tensor,
  checkTensor,
  empty,
  formatShape,
  getKernel,
  isFloatingPoint,
  registerKernel,
  where,
} from '@strata/tensor';
import { preluKernel } from './kernels/prelu.js';
import { checkFiniteNumber, checkSize } from './options.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** x for x > 0, else weight[c] · x (c the channel, dimension 1; one slope for a one-element weight). */
    prelu: (input: Tensor, weight: Tensor) => Tensor;
  }
}

registerKernel('prelu', preluKernel);

/** The weight's shape for broadcasting against the input: `[]` for one slope, `[C, 1, ...]` to reach dimension 1. */
function slopeShape(input: Tensor, weight: Tensor): number[] {
  return weight.numel() === 1 ? [] : [weight.numel(), ...new Array<number>(Math.max(input.ndim - 2, 0)).fill(1)];
}

/** The op; its backward is written with recorded tensor ops, so it is differentiable itself. */
const preluOp: (input: Tensor, weight: Tensor) => Tensor = defineOp({
  name: 'prelu',
  forward(ctx: OpContext, input: Tensor, weight: Tensor) {
    ctx.saveForBackward(input, weight);
    return getKernel('prelu')(input, weight);
  },
  backward(ctx, gradOutput) {
    const [input, weight] = ctx.savedTensors as [Tensor, Tensor];
    const slope = weight.reshape(slopeShape(input, weight));
    const positive = input.gt(0);
    return [
      ctx.needsInputGrad[0] ? where(positive, gradOutput, gradOutput.mul(slope)) : null,
      ctx.needsInputGrad[1] ? sumToShape(where(positive, 0, input.mul(gradOutput)), slope.shape).reshape(weight.shape) : null,
    ];
  },
});

/** The checks and the computation of `prelu` and `PReLU` (`name` is what messages call it). */
export function preluNd(name: string, input: Tensor, weight: Tensor): Tensor {
  for (const [argument, value] of [['input', input], ['weight', weight]] as const) {
    checkTensor(name, argument, value);
  }
  if (weight.ndim > 1) throw new ShapeError(`${name}: expected weight to be a scalar or 1-D tensor, got shape ${formatShape(weight.shape)}`);
  const count = weight.numel();
  if (count !== 1) {
    if (input.ndim === 0) throw new ShapeError(`${name}: a 0-d input takes a weight of one element, got weight shape ${formatShape(weight.shape)}`);
    const channels = input.ndim > 1 ? input.shape[1]! : 1;
    if (channels !== count) {
      throw new ShapeError(
        `${name}: mismatch of parameter numbers and input channel size: found ${count} parameters and channel size ${channels} (input shape ${formatShape(input.shape)})`,
      );
    }
  }
  if (!isFloatingPoint(input.dtype) || input.dtype !== weight.dtype) {
    throw new DTypeError(`${name}: expected input and weight of one floating point dtype, got ${input.dtype} and ${weight.dtype}`);
  }
  return preluOp(input, weight);
}

/**
 * The parametric ReLU, like `torch.nn.functional.prelu`: x for x > 0, else
 * weight · x, with one slope, or one per channel (dimension 1 of the input).
 *
 * **Shape**: input `[*]` (`[N, C, *]` for per-channel slopes); weight `[1]`
 * or `[C]`; output the input's shape.
 *
 * @throws ShapeError for a weight of more than 1 dimension, or one whose
 * size is not 1 and not the input's channel count.
 * @throws DTypeError when input and weight are not of one float dtype.
 *
 * @example
 * ```ts
 * prelu(tensor([[-2, 2], [-4, 4]]), tensor([0.5, 0.25])).tolist(); // [[-1, 2], [-1, 4]]
 * ```
 */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  return preluNd('prelu', input, weight);
}

/**
 * The parametric ReLU layer, like `torch.nn.PReLU`: `numParameters` learnable
 * slopes (1, or the input's channel count), each initialized to `init`.
 *
 * **Shape**: any input (`[N, C, *]` or `[C]`-channel inputs for `numParameters` C); the output has its shape.
 *
 * **Attributes**: `weight` `[numParameters]`, filled with `init`.
 *
 * @example
 * ```ts
 * const layer = new PReLU(3);
 * layer.forward(randn([2, 3, 4])).shape; // [2, 3, 4]
 * layer.toString(); // 'PReLU(num_parameters=3)'
 * ```
 */
export class PReLU extends Module {
  /**
   * The number of slopes: PyTorch's `num_parameters` (named so because
   * `numParameters()` is `Module`'s count of parameter elements).
   */
  readonly numSlopes: number;
  /** The initial slope. */
  readonly init: number;
  /** The learnable slopes `[numParameters]`. */
  weight: Parameter;

  /** @throws RangeError for a count that is not a positive integer, or an initial slope that is not finite. */
  constructor(numParameters = 1, init = 0.25) {
    super();
    this.numSlopes = checkSize('PReLU', 'numParameters', numParameters, 1);
    this.init = checkFiniteNumber('PReLU', 'init', init);
    this.weight = new Parameter(empty([numParameters]));
    this.resetParameters();
  }

  /** Fills every slope with `init`. */
  resetParameters(): void {
    constant_(this.weight, this.init);
  }

  /** @throws ShapeError, DTypeError for an input that does not fit (see {@link prelu}). */
  forward(input: Tensor): Tensor {
    return preluNd('PReLU', input, this.weight);
  }

  override extraRepr(): string {
    return `num_parameters=${this.numSlopes}`;
  }
}
