/**
 * Root-mean-square normalization: the functional `rmsNorm` and the
 * `RMSNorm` layer, with the semantics of PyTorch 2.4's
 * `torch.nn.functional.rms_norm` and `torch.nn.RMSNorm`.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module, Parameter, formatPythonBool, formatPythonFloat, formatPythonTuple, init } from '@strata/module';
import { type Tensor, compositeKernel, getKernel, isGradEnabled, ones, registerKernel } from '@strata/tensor';
import type { NormGradients } from './kernels/support.js';
import { rmsNormBackwardKernel, rmsNormKernel } from './kernels/layer-norm.js';
import {
  type RMSNormOptions,
  checkEps,
  checkNormalizedShape,
  resolveRMSNormOptions,
} from './options.js';
import { checkFloatInput, checkOptionalTensor, checkTrailingShape } from './validation.js';
import { COMPOSITE, rmsNormBackwardComposite } from './reference-backward.js';

registerKernel('rmsNorm', rmsNormKernel);
// The default composed of forward ops, then the fused CPU kernel over it.
registerKernel('rmsNormBackward', rmsNormBackwardComposite, COMPOSITE);
registerKernel('rmsNormBackward', rmsNormBackwardKernel, { override: true });

/** Options of the functional {@link rmsNorm}: PyTorch's keyword arguments of `F.rms_norm`. */
export interface RMSNormFunctionalOptions {
  /**
   * The elementwise scale, of shape `normalizedShape`, or none.
   * @defaultValue `null`
   */
  weight?: Tensor | null;
  /**
   * Added to the mean square before its square root; `null` is the input
   * dtype's machine epsilon (`torch.finfo(x.dtype).eps`).
   * @defaultValue `null`
   */
  eps?: number | null;
}

/** The machine epsilon of a floating-point dtype, as `torch.finfo(dtype).eps`. */
export function machineEpsilon(dtype: Tensor['dtype']): number {
  return dtype === 'float64' ? 2 ** -52 : 2 ** -23;
}

interface RMSNormPlan {
  readonly normalizedShape: readonly number[];
  readonly length: number;
  readonly eps: number;
}

interface RMSNormState {
  plan: RMSNormPlan;
  hasWeight: boolean;
}

const rmsNormOp = defineOp({
  name: 'rmsNorm',
  forward(ctx: OpContext<RMSNormState>, input: Tensor, weight: Tensor | null, plan: RMSNormPlan) {
    const result = getKernel('rmsNorm')(input, weight, plan.length, plan.eps);
    ctx.state.plan = plan;
    ctx.state.hasWeight = weight !== null;
    ctx.saveForBackward(input, result.invrms, ...(weight === null ? [] : [weight]));
    return result.output;
  },
  backward(ctx, gradOutput) {
    const [input, invrms, savedWeight] = ctx.savedTensors as [Tensor, Tensor, Tensor?];
    const weight = ctx.state.hasWeight ? savedWeight! : null;
    const { normalizedShape, length, eps } = ctx.state.plan;
    const mask = [ctx.needsInputGrad[0]!, ctx.needsInputGrad[1]!] as const;
    // createGraph (grad mode on in this backward): the composite default, recorded, on invrms recomputed with recorded ops.
    const gradients = isGradEnabled()
      ? compositeRMSNormBackward(input, gradOutput, weight, length, eps, mask)
      : getKernel('rmsNormBackward')(input, gradOutput, invrms, weight, length, mask);
    return [gradients.gradInput, gradients.gradWeight?.reshape(normalizedShape) ?? null, null];
  },
});

/** `rmsNormBackward`'s composite default on `1/√(mean(x²) + eps)` recomputed with recorded ops (for `createGraph`). */
function compositeRMSNormBackward(
  input: Tensor, gradOutput: Tensor, weight: Tensor | null, length: number, eps: number, mask: readonly [boolean, boolean],
): NormGradients {
  const rows = input.reshape([length === 0 ? 0 : input.numel() / length, length]);
  const invrms = rows.square().mean([1]).add(eps).rsqrt();
  return compositeKernel('rmsNormBackward')(input, gradOutput, invrms, weight, length, mask);
}

/** Checks an RMS-norm call (`name` is the op or layer the messages name) and runs it. */
function runRMSNorm(name: string, input: Tensor, normalizedShape: readonly number[], options: RMSNormFunctionalOptions): Tensor {
  checkFloatInput(name, input);
  checkTrailingShape(name, input, normalizedShape);
  const weight = checkOptionalTensor(name, 'weight', options.weight, normalizedShape, 'normalizedShape', input);
  const epsValue = options.eps ?? null;
  const eps = epsValue === null ? machineEpsilon(input.dtype) : checkEps(name, epsValue);
  const length = normalizedShape.reduce((product, size) => product * size, 1);
  return rmsNormOp(input, weight, { normalizedShape, length, eps });
}

/**
 * RMS normalization, like PyTorch 2.4's `torch.nn.functional.rms_norm`:
 * `x / √(mean(x²) + eps) · weight` over the trailing `normalizedShape` dims
 * (no centering, no bias).
 *
 * @param normalizedShape - the trailing shape to normalize over: one size or a list.
 * @throws DTypeError when input is not floating point, or weight's dtype differs.
 * @throws ShapeError when input's trailing dims are not normalizedShape, or weight is not of that shape.
 * @throws RangeError when normalizedShape or eps is out of range.
 * @example
 * ```ts
 * const y = rmsNorm(randn([4, 64]), 64, { weight: ones([64]), eps: 1e-6 });
 * ```
 */
export function rmsNorm(input: Tensor, normalizedShape: number | readonly number[], options: RMSNormFunctionalOptions = {}): Tensor {
  return runRMSNorm('rmsNorm', input, checkNormalizedShape('rmsNorm', normalizedShape), options);
}

/**
 * RMS normalization over the trailing `normalizedShape` dims, like PyTorch
 * 2.4's `torch.nn.RMSNorm`. See {@link rmsNorm} for the math.
 *
 * Parameters (with `elementwiseAffine`): `weight` of shape `normalizedShape` (ones).
 *
 * @example
 * ```ts
 * const norm = new RMSNorm(64);
 * String(norm); // 'RMSNorm((64,), eps=None, elementwise_affine=True)'
 * ```
 */
export class RMSNorm extends Module {
  /** The trailing shape normalized over. */
  readonly normalizedShape: readonly number[];
  /** Added to the mean square; `null` for the input dtype's machine epsilon. */
  readonly eps: number | null;
  /** Whether `weight` exists. */
  readonly elementwiseAffine: boolean;
  /** The elementwise scale (ones), or `null` without `elementwiseAffine`. */
  declare weight: Parameter | null;

  /**
   * @param normalizedShape - one size or a list of sizes: the trailing shape of the inputs.
   * @throws RangeError when normalizedShape or eps is out of range, or elementwiseAffine is not a boolean.
   */
  constructor(normalizedShape: number | readonly number[], options: RMSNormOptions = {}) {
    super();
    const resolved = resolveRMSNormOptions(new.target.name, normalizedShape, options);
    this.normalizedShape = resolved.normalizedShape;
    this.eps = resolved.eps;
    this.elementwiseAffine = resolved.elementwiseAffine;
    this.registerParameter('weight', resolved.elementwiseAffine ? new Parameter(ones(resolved.normalizedShape)) : null);
  }

  /** Sets `weight` to ones, in place. */
  resetParameters(): void {
    if (this.weight !== null) init.ones_(this.weight);
  }

  /**
   * Normalizes the trailing `normalizedShape` dims of `input`.
   * @throws ShapeError when input's trailing shape is not normalizedShape.
   * @throws DTypeError when input's dtype is not the layer's.
   */
  forward(input: Tensor): Tensor {
    return runRMSNorm(this.getName(), input, this.normalizedShape, { weight: this.weight, eps: this.eps });
  }

  /** PyTorch's printout: `(64,), eps=None, elementwise_affine=True`. */
  override extraRepr(): string {
    const eps = this.eps === null ? 'None' : formatPythonFloat(this.eps);
    return `${formatPythonTuple(this.normalizedShape)}, eps=${eps}, elementwise_affine=${formatPythonBool(this.elementwiseAffine)}`;
  }
}
