/**
 * Layer normalization: the functional `layerNorm` and the `LayerNorm`
 * layer, as PyTorch's `torch.nn.functional.layer_norm` and
 * `torch.nn.LayerNorm` (with the `bias` option of PyTorch 2.1+).
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module, Parameter, formatPythonBool, formatPythonFloat, formatPythonTuple, init } from '@strata/module';
import { type Tensor, compositeKernel, getKernel, isGradEnabled, ones, registerKernel, zeros } from '@strata/tensor';
import { recordedStatistics } from './composite.js';
import type { NormGradients } from './kernels/support.js';
import { layerNormBackwardKernel, layerNormKernel } from './kernels/layer-norm.js';
import {
  type LayerNormOptions,
  checkEps,
  checkNormalizedShape,
  resolveLayerNormOptions,
} from './options.js';
import { checkFloatInput, checkOptionalTensor, checkTrailingShape } from './validation.js';
import { layerNormBackwardWasmKernel, layerNormWasmKernel } from './kernels/wasm/layer-norm-wasm.js';
import { WASM_BACKEND } from './kernels/wasm/wasm-support.js';
import { normWasm } from './kernels/wasm/norm-wasm.js';
import { COMPOSITE, layerNormBackwardComposite } from './reference-backward.js';

registerKernel('layerNorm', layerNormKernel);
// The default composed of forward ops, then the fused CPU kernel over it.
registerKernel('layerNormBackward', layerNormBackwardComposite, COMPOSITE);
registerKernel('layerNormBackward', layerNormBackwardKernel, { override: true });
// The WebAssembly SIMD kernels for float32, where this runtime compiles them.
if (normWasm() !== undefined) {
  registerKernel('layerNorm', layerNormWasmKernel, { backend: WASM_BACKEND, override: true });
  registerKernel('layerNormBackward', layerNormBackwardWasmKernel, { backend: WASM_BACKEND, override: true });
}

/** Options of the functional {@link layerNorm}: PyTorch's keyword arguments of `F.layer_norm`. */
export interface LayerNormFunctionalOptions {
  /**
   * The elementwise scale, of shape `normalizedShape`, or none.
   * @defaultValue `null`
   */
  weight?: Tensor | null;
  /**
   * The elementwise shift, of shape `normalizedShape`, or none.
   * @defaultValue `null`
   */
  bias?: Tensor | null;
  /**
   * Added to the variance before its square root.
   * @defaultValue `1e-5`
   */
  eps?: number;
}

interface LayerNormPlan {
  readonly normalizedShape: readonly number[];
  readonly length: number;
  readonly eps: number;
}

interface LayerNormState {
  plan: LayerNormPlan;
  hasWeight: boolean;
}

const layerNormOp = defineOp({
  name: 'layerNorm',
  forward(ctx: OpContext<LayerNormState>, input: Tensor, weight: Tensor | null, bias: Tensor | null, plan: LayerNormPlan) {
    const result = getKernel('layerNorm')(input, weight, bias, plan.length, plan.eps);
    ctx.state.plan = plan;
    ctx.state.hasWeight = weight !== null;
    ctx.saveForBackward(input, result.mean, result.invstd, ...(weight === null ? [] : [weight]));
    return result.output;
  },
  backward(ctx, gradOutput) {
    const [input, mean, invstd, savedWeight] = ctx.savedTensors as [Tensor, Tensor, Tensor, Tensor?];
    const weight = ctx.state.hasWeight ? savedWeight! : null;
    const { normalizedShape, length, eps } = ctx.state.plan;
    const mask = [ctx.needsInputGrad[0]!, ctx.needsInputGrad[1]!, ctx.needsInputGrad[2]!] as const;
    // createGraph (grad mode on in this backward): the composite default, recorded, on statistics recomputed with recorded ops.
    const gradients = isGradEnabled()
      ? compositeLayerNormBackward(input, gradOutput, weight, length, eps, mask)
      : getKernel('layerNormBackward')(input, gradOutput, mean, invstd, weight, length, mask);
    return [
      gradients.gradInput,
      gradients.gradWeight?.reshape(normalizedShape) ?? null,
      gradients.gradBias?.reshape(normalizedShape) ?? null,
      null,
    ];
  },
});

/** `layerNormBackward`'s composite default on the rows' statistics recomputed with recorded ops (for `createGraph`). */
function compositeLayerNormBackward(
  input: Tensor, gradOutput: Tensor, weight: Tensor | null, length: number, eps: number, mask: readonly [boolean, boolean, boolean],
): NormGradients {
  const rows = input.reshape([length === 0 ? 0 : input.numel() / length, length]);
  const { mean, invstd } = recordedStatistics(rows, [1], eps);
  return compositeKernel('layerNormBackward')(input, gradOutput, mean, invstd, weight, length, mask);
}

/** Checks a layer-norm call (`name` is the op or layer the messages name) and runs it. */
function runLayerNorm(name: string, input: Tensor, normalizedShape: readonly number[], options: LayerNormFunctionalOptions): Tensor {
  checkFloatInput(name, input);
  checkTrailingShape(name, input, normalizedShape);
  const weight = checkOptionalTensor(name, 'weight', options.weight, normalizedShape, 'normalizedShape', input);
  const bias = checkOptionalTensor(name, 'bias', options.bias, normalizedShape, 'normalizedShape', input);
  const eps = checkEps(name, options.eps ?? 1e-5);
  const length = normalizedShape.reduce((product, size) => product * size, 1);
  return layerNormOp(input, weight, bias, { normalizedShape, length, eps });
}

/**
 * Layer normalization, like `torch.nn.functional.layer_norm`: the trailing
 * dims of `input` given by `normalizedShape` are normalized by their mean
 * and biased variance (per leading index), then `· weight + bias`
 * elementwise. The statistics are the same in training and evaluation.
 *
 * @param normalizedShape - the trailing shape to normalize over: one size or a list.
 * @throws DTypeError when input is not floating point, or weight/bias dtype differs.
 * @throws ShapeError when input's trailing dims are not normalizedShape, or weight/bias is not of that shape.
 * @throws RangeError when normalizedShape or eps is out of range.
 * @example
 * ```ts
 * const x = randn([4, 10, 32]);
 * const y = layerNorm(x, 32, { weight: ones([32]), bias: zeros([32]) });
 * ```
 */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], options: LayerNormFunctionalOptions = {}): Tensor {
  return runLayerNorm('layerNorm', input, checkNormalizedShape('layerNorm', normalizedShape), options);
}

/**
 * Layer normalization over the trailing `normalizedShape` dims, like
 * `torch.nn.LayerNorm`. See {@link layerNorm} for the math.
 *
 * Parameters (with `elementwiseAffine`): `weight` (ones) and, unless `bias`
 * is false, `bias` (zeros), both of shape `normalizedShape`.
 *
 * @example
 * ```ts
 * const norm = new LayerNorm([10, 32], { bias: false });
 * const y = norm.forward(randn([4, 10, 32]));
 * String(norm); // 'LayerNorm((10, 32), eps=1e-05, elementwise_affine=True)'
 * ```
 */
export class LayerNorm extends Module {
  /** The trailing shape normalized over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance before its square root. */
  readonly eps: number;
  /** Whether `weight` (and `bias`, unless disabled) exist. */
  readonly elementwiseAffine: boolean;
  /** The elementwise scale (ones), or `null` without `elementwiseAffine`. */
  declare weight: Parameter | null;
  /** The elementwise shift (zeros), or `null` without `elementwiseAffine` or with `bias: false`. */
  declare bias: Parameter | null;

  /**
   * @param normalizedShape - one size or a list of sizes: the trailing shape of the inputs.
   * @throws RangeError when normalizedShape or eps is out of range, or a flag is not a boolean.
   */
  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const resolved = resolveLayerNormOptions(new.target.name, normalizedShape, options);
    this.normalizedShape = resolved.normalizedShape;
    this.eps = resolved.eps;
    this.elementwiseAffine = resolved.elementwiseAffine;
    const shape = resolved.normalizedShape;
    this.registerParameter('weight', resolved.elementwiseAffine ? new Parameter(ones(shape)) : null);
    this.registerParameter('bias', resolved.elementwiseAffine && resolved.bias ? new Parameter(zeros(shape)) : null);
  }

  /** Sets `weight` to ones and `bias` to zeros, in place. */
  resetParameters(): void {
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  /**
   * Normalizes the trailing `normalizedShape` dims of `input` `[*, ...normalizedShape]`.
   * @throws ShapeError when input's trailing shape is not normalizedShape.
   * @throws DTypeError when input's dtype is not the layer's.
   */
  forward(input: Tensor): Tensor {
    return runLayerNorm(this.getName(), input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  /** PyTorch's printout: `(10,), eps=1e-05, elementwise_affine=True`. */
  override extraRepr(): string {
    return `${formatPythonTuple(this.normalizedShape)}, eps=${formatPythonFloat(this.eps)}, elementwise_affine=${formatPythonBool(this.elementwiseAffine)}`;
  }
}
