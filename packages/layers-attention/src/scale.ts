/**
 * A learnable gain and shift per feature: the functional op
 * `attentionScale` and the layer `AttentionScale`, side by
 * side as every family file keeps them. The kernel is registered by name (a
 * faster backend overrides the name), the op pairs forward and backward with
 * `defineOp`, and the layer's `forward` is one call of the functional form.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module, Parameter, constant_, zeros_ } from '@strata/module';
import { DTypeError, ShapeError, Tensor, empty, formatShape, getKernel, isFloatingPoint, numelOf, registerKernel } from '@strata/tensor';
import { attentionScaleKernel } from './kernels/scale.js';
import { type ResolvedScaleOptions, type ScaleOptions, checkSize, resolveScaleOptions } from './options.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** `input · weight + bias` per feature: input [M, F], weight [F], bias [F] or null, one float dtype → [M, F]. */
    attentionScale: (input: Tensor, weight: Tensor, bias: Tensor | null) => Tensor;
  }
}

registerKernel('attentionScale', attentionScaleKernel);

/**
 * The differentiable op over 2-D inputs. Its backward is written with tensor
 * ops, so any backend that has their kernels trains it, and it is
 * differentiable itself (`createGraph`).
 */
const scaleOp: (input: Tensor, weight: Tensor, bias: Tensor | null) => Tensor = defineOp({
  name: 'attentionScale',
  forward(ctx: OpContext, input: Tensor, weight: Tensor, bias: Tensor | null) {
    ctx.saveForBackward(input, weight);
    return getKernel('attentionScale')(input, weight, bias);
  },
  backward(ctx, gradOutput) {
    const [input, weight] = ctx.savedTensors as [Tensor, Tensor];
    return [
      ctx.needsInputGrad[0] ? gradOutput.mul(weight) : null,
      ctx.needsInputGrad[1] ? gradOutput.mul(input).sum(0) : null,
      ctx.needsInputGrad[2] ? gradOutput.sum(0) : null,
    ];
  },
});

/** The checks and the computation of the op and the layer (`name` is what messages call it). */
function scaleNd(name: string, input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  for (const [argument, value] of [['input', input], ['weight', weight], ['bias', bias]] as const) {
    if (value !== null && !(value instanceof Tensor)) throw new TypeError(`${name}: expected ${argument} to be a Tensor, got ${typeof value}`);
  }
  if (weight.ndim !== 1) throw new ShapeError(`${name}: expected a 1-D weight [numFeatures], got shape ${formatShape(weight.shape)}`);
  const features = weight.shape[0]!;
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== features) {
    throw new ShapeError(`${name}: expected an input of shape [*, ${features}], got shape ${formatShape(input.shape)}`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== features)) {
    throw new ShapeError(`${name}: expected a bias of shape [${features}], got shape ${formatShape(bias.shape)}`);
  }
  const dtypes = [input, weight, bias].filter((value) => value !== null).map((value) => value.dtype);
  if (!isFloatingPoint(input.dtype) || dtypes.some((dtype) => dtype !== input.dtype)) {
    throw new DTypeError(`${name}: expected input, weight and bias of one floating point dtype, got ${dtypes.join(', ')}`);
  }
  const leading = input.shape.slice(0, -1);
  return scaleOp(input.reshape([numelOf(leading), features]), weight, bias).reshape(input.shape);
}

/**
 * Scales each feature (the last dimension) by its gain and adds its shift:
 * `y[..., f] = x[..., f] · weight[f] + bias[f]`.
 *
 * **Shape**: input `[*, F]`; weight `[F]`; bias `[F]`; output `[*, F]`.
 *
 * @param bias - added to every feature; `null` (the default) for none.
 * @throws TypeError when an argument is not a tensor.
 * @throws ShapeError when the weight is not 1-D or the input's last dimension or the bias does not match it.
 * @throws DTypeError when the tensors are not all of one float dtype.
 *
 * @example
 * ```ts
 * attentionScale(ones([2, 3]), tensor([1, 2, 3]), tensor([0, 0, 1])).tolist(); // [[1, 2, 4], [1, 2, 4]]
 * ```
 */
export function attentionScale(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return scaleNd('attentionScale', input, weight, bias);
}

/**
 * A learnable gain and shift per feature: `y = x · weight + bias` over the last dimension.
 *
 * **Shape**: input `[*, numFeatures]` → output `[*, numFeatures]`.
 *
 * **Attributes**: `weight` `[numFeatures]` filled with `init` (1 by default);
 * `bias` `[numFeatures]` zeros (`null` with `bias: false`). The state-dict
 * keys are `weight` and `bias`, as PyTorch names them.
 *
 * @example
 * ```ts
 * const layer = new AttentionScale(4, { init: 0.5 });
 * layer.forward(ones([2, 4])).tolist(); // [[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]]
 * layer.toString(); // 'AttentionScale(4, init=0.5)'
 * ```
 */
export class AttentionScale extends Module {
  /** The size of the last dimension of the input and the output. */
  readonly numFeatures: number;
  /** The learnable gain `[numFeatures]`. */
  weight: Parameter;
  /** The learnable shift `[numFeatures]`, or `null`. */
  bias!: Parameter | null;
  /** The constructor's options, checked and frozen. */
  protected readonly options: ResolvedScaleOptions;

  /** @throws RangeError for a `numFeatures` that is not a positive integer, or a bad option. */
  constructor(numFeatures: number, options: ScaleOptions = {}) {
    super();
    this.numFeatures = checkSize('AttentionScale', 'numFeatures', numFeatures);
    this.options = resolveScaleOptions('AttentionScale', options);
    this.weight = new Parameter(empty([numFeatures]));
    if (this.options.bias) this.bias = new Parameter(empty([numFeatures]));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Gains to `init`, shifts to zero. */
  resetParameters(): void {
    constant_(this.weight, this.options.init);
    if (this.bias !== null) zeros_(this.bias);
  }

  /** @throws ShapeError, DTypeError for an input that does not fit (see {@link attentionScale}). */
  forward(input: Tensor): Tensor {
    return scaleNd('AttentionScale', input, this.weight, this.bias);
  }

  override extraRepr(): string {
    const extras = [String(this.numFeatures)];
    if (this.options.init !== 1) extras.push(`init=${this.options.init}`);
    if (this.bias === null) extras.push('bias=False');
    return extras.join(', ');
  }
}
