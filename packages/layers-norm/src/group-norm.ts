/**
 * Group normalization: the functional `groupNorm` and the `GroupNorm`
 * layer, as PyTorch's `torch.nn.functional.group_norm` and
 * `torch.nn.GroupNorm`. The op is shared with instance normalization in
 * training mode (one group per channel), which also updates running
 * statistics from it.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module, Parameter, formatPythonBool, formatPythonFloat, init } from '@strata/module';
import { ShapeError, type Tensor, formatShape, compositeKernel, getKernel, isGradEnabled, ones, registerKernel, zeros } from '@strata/tensor';
import { recordedStatistics } from './composite.js';
import type { NormGradients } from './kernels/support.js';
import { groupNormBackwardKernel, groupNormKernel } from './kernels/group-norm.js';
import {
  type GroupNormOptions,
  checkCount,
  checkEps,
  resolveGroupNormOptions,
} from './options.js';
import { updateRunningStats } from './running-stats.js';
import { checkChannels, checkFloatInput, checkOptionalTensor, checkRank, spatialSize } from './validation.js';
import { COMPOSITE, groupNormBackwardComposite } from './reference-backward.js';

registerKernel('groupNorm', groupNormKernel);
// The default composed of forward ops, then the fused CPU kernel over it.
registerKernel('groupNormBackward', groupNormBackwardComposite, COMPOSITE);
registerKernel('groupNormBackward', groupNormBackwardKernel, { override: true });

/** Options of the functional {@link groupNorm}: PyTorch's keyword arguments of `F.group_norm`. */
export interface GroupNormFunctionalOptions {
  /**
   * The per-channel scale `[C]`, or none.
   * @defaultValue `null`
   */
  weight?: Tensor | null;
  /**
   * The per-channel shift `[C]`, or none.
   * @defaultValue `null`
   */
  bias?: Tensor | null;
  /**
   * Added to the variance before its square root.
   * @defaultValue `1e-5`
   */
  eps?: number;
}

/**
 * Running statistics that instance normalization updates from the
 * per-instance statistics (averaged over the batch).
 */
export interface InstanceRunningStatistics {
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly momentum: number;
}

/** A checked group-norm call. */
export interface GroupNormPlan {
  readonly groups: number;
  readonly eps: number;
  readonly running: InstanceRunningStatistics | null;
}

interface GroupNormState {
  plan: GroupNormPlan;
  hasWeight: boolean;
}

/** The group-norm op under a name (`groupNorm`, or `instanceNorm` for its training mode). */
export function createGroupNormOp(name: string): (input: Tensor, weight: Tensor | null, bias: Tensor | null, plan: GroupNormPlan) => Tensor {
  return defineOp({
    name,
    forward(ctx: OpContext<GroupNormState>, input: Tensor, weight: Tensor | null, bias: Tensor | null, plan: GroupNormPlan) {
      const result = getKernel('groupNorm')(input, weight, bias, plan.groups, plan.eps);
      if (plan.running !== null) updateInstanceStatistics(input, result.mean, result.invstd, plan.eps, plan.running);
      ctx.state.plan = plan;
      ctx.state.hasWeight = weight !== null;
      ctx.saveForBackward(input, result.mean, result.invstd, ...(weight === null ? [] : [weight]));
      return result.output;
    },
    backward(ctx, gradOutput) {
      const [input, mean, invstd, savedWeight] = ctx.savedTensors as [Tensor, Tensor, Tensor, Tensor?];
      const weight = ctx.state.hasWeight ? savedWeight! : null;
      const { groups, eps } = ctx.state.plan;
      const mask = [ctx.needsInputGrad[0]!, ctx.needsInputGrad[1]!, ctx.needsInputGrad[2]!] as const;
      // createGraph (grad mode on in this backward): the composite default, recorded, on statistics recomputed with recorded ops.
      const gradients = isGradEnabled()
        ? compositeGroupNormBackward(input, gradOutput, weight, groups, eps, mask)
        : getKernel('groupNormBackward')(input, gradOutput, mean, invstd, weight, groups, mask);
      return [gradients.gradInput, gradients.gradWeight, gradients.gradBias, null];
    },
  });
}

/**
 * Instance norm's running update: each channel's new value is the average
 * over the batch of the per-instance mean (and unbiased variance), blended
 * in with the momentum, as PyTorch's `instance_norm` does.
 */
function updateInstanceStatistics(input: Tensor, mean: Tensor, invstd: Tensor, eps: number, running: InstanceRunningStatistics): void {
  const [batch, channels] = input.shape as [number, number];
  const count = spatialSize(input.shape);
  if (batch === 0 || count === 0) return;
  updateRunningStats(
    running.runningMean, running.runningVar, mean.reshape([batch, channels]), invstd.reshape([batch, channels]),
    { momentum: running.momentum, eps, count },
  );
}

/** `groupNormBackward`'s composite default on each (sample, group)'s statistics recomputed with recorded ops (for `createGraph`). */
function compositeGroupNormBackward(
  input: Tensor, gradOutput: Tensor, weight: Tensor | null, groups: number, eps: number, mask: readonly [boolean, boolean, boolean],
): NormGradients {
  const batch = input.shape[0]!;
  const perGroup = batch * groups === 0 ? 0 : input.numel() / (batch * groups);
  const { mean, invstd } = recordedStatistics(input.reshape([batch, groups, perGroup]), [2], eps);
  return compositeKernel('groupNormBackward')(input, gradOutput, mean, invstd, weight, groups, mask);
}

const groupNormOp = createGroupNormOp('groupNorm');

/**
 * Checks a group-norm call and returns its plan (`name` is the op or layer
 * the messages name).
 */
function planGroupNorm(name: string, input: Tensor, numGroups: number, options: GroupNormFunctionalOptions): GroupNormPlan & {
  weight: Tensor | null;
  bias: Tensor | null;
} {
  checkFloatInput(name, input);
  const groups = checkCount(name, 'numGroups', numGroups, 1);
  checkRank(name, input, [2], true);
  const channels = input.shape[1]!;
  if (channels % groups !== 0) {
    throw new ShapeError(
      `${name}: expected the number of channels of input ${formatShape(input.shape)} (${channels}) to be divisible by numGroups (${groups})`,
    );
  }
  const reason = `one value per channel of input ${formatShape(input.shape)}`;
  const weight = checkOptionalTensor(name, 'weight', options.weight, [channels], reason, input);
  const bias = checkOptionalTensor(name, 'bias', options.bias, [channels], reason, input);
  return { weight, bias, groups, eps: checkEps(name, options.eps ?? 1e-5), running: null };
}

/**
 * Group normalization, like `torch.nn.functional.group_norm`: the `C`
 * channels of `input` `[N, C, *]` are split into `numGroups` groups of
 * consecutive channels, each (sample, group) is normalized by its own mean
 * and biased variance, then `· weight[c] + bias[c]`. The statistics are
 * the same in training and evaluation.
 *
 * @throws DTypeError when input is not floating point, or weight/bias dtype differs.
 * @throws ShapeError when input has fewer than 2 dims, C is not divisible by numGroups, or weight/bias is not `[C]`.
 * @throws RangeError when numGroups is not a positive integer, or eps is out of range.
 * @example
 * ```ts
 * const y = groupNorm(randn([2, 6, 5]), 3); // three groups of two channels
 * ```
 */
export function groupNorm(input: Tensor, numGroups: number, options: GroupNormFunctionalOptions = {}): Tensor {
  const plan = planGroupNorm('groupNorm', input, numGroups, options);
  return groupNormOp(input, plan.weight, plan.bias, plan);
}

/**
 * Group normalization over `[N, C, *]`, like `torch.nn.GroupNorm`. See
 * {@link groupNorm} for the math.
 *
 * Parameters (with `affine`): `weight` `[C]` (ones) and `bias` `[C]` (zeros),
 * per channel (not per group).
 *
 * @example
 * ```ts
 * const norm = new GroupNorm(2, 6);
 * const y = norm.forward(randn([4, 6, 8, 8]));
 * String(norm); // 'GroupNorm(2, 6, eps=1e-05, affine=True)'
 * ```
 */
export class GroupNorm extends Module {
  /** The number of groups the channels are split into. */
  readonly numGroups: number;
  /** The number of channels `C`. */
  readonly numChannels: number;
  /** Added to the variance before its square root. */
  readonly eps: number;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** The per-channel scale `[C]` (ones), or `null` without `affine`. */
  declare weight: Parameter | null;
  /** The per-channel shift `[C]` (zeros), or `null` without `affine`. */
  declare bias: Parameter | null;

  /**
   * @throws RangeError when a count is not a positive integer, numChannels is not divisible by numGroups, or eps is out of range.
   */
  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    const resolved = resolveGroupNormOptions(new.target.name, numGroups, numChannels, options);
    this.numGroups = resolved.numGroups;
    this.numChannels = resolved.numChannels;
    this.eps = resolved.eps;
    this.affine = resolved.affine;
    this.registerParameter('weight', resolved.affine ? new Parameter(ones([resolved.numChannels])) : null);
    this.registerParameter('bias', resolved.affine ? new Parameter(zeros([resolved.numChannels])) : null);
  }

  /** Sets `weight` to ones and `bias` to zeros, in place. */
  resetParameters(): void {
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  /**
   * Normalizes `input` `[N, C, *]` per (sample, group).
   * @throws ShapeError when input has fewer than 2 dims or not numChannels channels.
   */
  forward(input: Tensor): Tensor {
    const name = this.getName();
    checkFloatInput(name, input);
    checkRank(name, input, [2], true);
    checkChannels(name, input, 1, this.numChannels, ['N, C, *']);
    const plan = planGroupNorm(name, input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
    return groupNormOp(input, plan.weight, plan.bias, plan);
  }

  /** PyTorch's printout: `2, 6, eps=1e-05, affine=True`. */
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${formatPythonFloat(this.eps)}, affine=${formatPythonBool(this.affine)}`;
  }
}
