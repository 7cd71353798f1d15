/**
 * Batch normalization: the functional `batchNorm` (a `defineOp` over the
 * fused kernels of `kernels/batch-norm.ts`) and the `BatchNorm1d/2d/3d`
 * layers, as PyTorch's `torch.nn.functional.batch_norm` and
 * `torch/nn/modules/batchnorm.py`.
 */
import { type OpContext, defineOp, noGrad } from '@strata/autograd';
import { ShapeError, type Tensor, add_, compositeKernel, formatShape, getKernel, isGradEnabled, registerKernel } from '@strata/tensor';
import { dimsExcept, recordedStatistics } from './composite.js';
import { batchNormBackwardKernel, batchNormKernel } from './kernels/batch-norm.js';
import { NormBase } from './norm-base.js';
import { type BatchNormOptions, checkBoolean, checkEps, checkFinite, resolveBatchNormOptions } from './options.js';
import { updateRunningStats } from './running-stats.js';
import { checkChannels, checkFloatInput, checkOptionalTensor, checkRank, spatialSize } from './validation.js';
import { batchNormBackwardWasmKernel, batchNormWasmKernel } from './kernels/wasm/batch-norm-wasm.js';
import { WASM_BACKEND } from './kernels/wasm/wasm-support.js';
import { normWasm } from './kernels/wasm/norm-wasm.js';
import { COMPOSITE, batchNormBackwardComposite } from './reference-backward.js';

registerKernel('batchNorm', batchNormKernel);
// The default composed of forward ops, then the fused CPU kernel over it.
registerKernel('batchNormBackward', batchNormBackwardComposite, COMPOSITE);
registerKernel('batchNormBackward', batchNormBackwardKernel, { override: true });
// The WebAssembly SIMD kernels for float32, where this runtime compiles them.
if (normWasm() !== undefined) {
  registerKernel('batchNorm', batchNormWasmKernel, { backend: WASM_BACKEND, override: true });
  registerKernel('batchNormBackward', batchNormBackwardWasmKernel, { backend: WASM_BACKEND, override: true });
}

/** Options of the functional {@link batchNorm}: PyTorch's keyword arguments of `F.batch_norm`. */
export interface BatchNormFunctionalOptions {
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
   * Normalize with the batch's statistics (and update the running ones, when
   * given) rather than with the running statistics.
   * @defaultValue `false`
   */
  training?: boolean;
  /**
   * The weight of the batch in the running-statistics update.
   * @defaultValue `0.1`
   */
  momentum?: number;
  /**
   * Added to the variance before its square root.
   * @defaultValue `1e-5`
   */
  eps?: number;
}

/** A checked batch-norm call: what the op needs besides the input, weight and bias. */
export interface BatchNormPlan {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly useInputStats: boolean;
  readonly momentum: number;
  readonly eps: number;
}

interface BatchNormState {
  plan: BatchNormPlan;
  hasWeight: boolean;
}

/** The batch-norm op under a name (`batchNorm`, or `instanceNorm` for its evaluation mode). */
export function createBatchNormOp(name: string): (input: Tensor, weight: Tensor | null, bias: Tensor | null, plan: BatchNormPlan) => Tensor {
  return defineOp({
    name,
    forward(ctx: OpContext<BatchNormState>, input: Tensor, weight: Tensor | null, bias: Tensor | null, plan: BatchNormPlan) {
      const { runningMean, runningVar, useInputStats, momentum, eps } = plan;
      const result = getKernel('batchNorm')(input, weight, bias, runningMean, runningVar, useInputStats, eps);
      const count = input.numel() / Math.max(1, input.shape[1]!);
      if (useInputStats && count > 0 && (runningMean !== null || runningVar !== null)) {
        updateRunningStats(runningMean, runningVar, result.mean, result.invstd, { momentum, eps, count });
      }
      ctx.state.plan = plan;
      ctx.state.hasWeight = weight !== null;
      ctx.saveForBackward(input, result.mean, result.invstd, ...(weight === null ? [] : [weight]));
      return result.output;
    },
    backward(ctx, gradOutput) {
      const [input, mean, invstd, savedWeight] = ctx.savedTensors as [Tensor, Tensor, Tensor, Tensor?];
      const weight = ctx.state.hasWeight ? savedWeight! : null;
      const { useInputStats, eps } = ctx.state.plan;
      const mask = [ctx.needsInputGrad[0]!, ctx.needsInputGrad[1]!, ctx.needsInputGrad[2]!] as const;
      // createGraph (grad mode on in this backward): the composite default, recorded, on batch statistics recomputed with recorded ops.
      const gradients = isGradEnabled()
        ? compositeKernel('batchNormBackward')(
          input, gradOutput, ...statisticsOf(input, mean, invstd, useInputStats, eps), weight, useInputStats, mask,
        )
        : getKernel('batchNormBackward')(input, gradOutput, mean, invstd, weight, useInputStats, mask);
      return [gradients.gradInput, gradients.gradWeight, gradients.gradBias, null];
    },
  });
}

/** The statistics a createGraph backward uses: the batch's recomputed with recorded ops, or the saved (running) ones, which are constants. */
function statisticsOf(input: Tensor, mean: Tensor, invstd: Tensor, useInputStats: boolean, eps: number): [Tensor, Tensor] {
  if (!useInputStats) return [mean, invstd];
  const recorded = recordedStatistics(input, dimsExcept(input.ndim, 1), eps);
  return [recorded.mean, recorded.invstd];
}

const batchNormOp = createBatchNormOp('batchNorm');

/**
 * Checks a batch-norm call and returns its plan; throws before anything is
 * computed or written. `name` is the op or layer the messages name.
 */
export function planBatchNorm(
  name: string,
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormFunctionalOptions,
): BatchNormPlan {
  checkFloatInput(name, input);
  checkRank(name, input, [2], true);
  const channels = input.shape[1]!;
  const reason = `one value per channel of input ${formatShape(input.shape)}`;
  const mean = checkOptionalTensor(name, 'runningMean', runningMean, [channels], reason, input);
  const variance = checkOptionalTensor(name, 'runningVar', runningVar, [channels], reason, input);
  const weight = checkOptionalTensor(name, 'weight', options.weight, [channels], reason, input);
  const bias = checkOptionalTensor(name, 'bias', options.bias, [channels], reason, input);
  const training = checkBoolean(name, 'training', options.training ?? false);
  const momentum = checkFinite(name, 'momentum', options.momentum ?? 0.1);
  const eps = checkEps(name, options.eps ?? 1e-5);
  if (!training && (mean === null || variance === null)) {
    throw new TypeError(`${name}: runningMean and runningVar must be given when training is false`);
  }
  if (training && input.shape[0]! * spatialSize(input.shape) === 1) {
    throw new ShapeError(`${name}: Expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`);
  }
  return { weight, bias, runningMean: mean, runningVar: variance, useInputStats: training, momentum, eps };
}

/**
 * Batch normalization, like `torch.nn.functional.batch_norm`: normalizes
 * each channel `c` of `input` `[N, C, *]` as
 * `(x − mean[c]) / √(var[c] + eps) · weight[c] + bias[c]`.
 *
 * With `training`, the mean and (biased) variance are the batch's, over the
 * batch and spatial dims, and the running statistics, when given, are
 * updated in place: `running = (1 − momentum) · running + momentum · batch`,
 * the variance with Bessel's correction `n / (n − 1)`. Without `training`
 * `runningMean` and `runningVar` are used (and required). Gradients flow to
 * input, weight and bias.
 *
 * @param runningMean - `[C]`, or `null`.
 * @param runningVar - `[C]`, or `null`.
 * @throws DTypeError when input is not floating point, or a tensor's dtype differs from input's.
 * @throws ShapeError when input has fewer than 2 dims, a tensor is not `[C]`, or training gets one value per channel.
 * @throws TypeError when running statistics are missing outside training.
 * @throws RangeError when momentum or eps is out of range.
 * @example
 * ```ts
 * const x = randn([8, 3, 4, 4]);
 * const runningMean = zeros([3]);
 * const runningVar = ones([3]);
 * const y = batchNorm(x, runningMean, runningVar, { training: true }); // runningMean moved 10% toward the batch mean
 * ```
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null | undefined,
  runningVar: Tensor | null | undefined,
  options: BatchNormFunctionalOptions = {},
): Tensor {
  const plan = planBatchNorm('batchNorm', input, runningMean ?? null, runningVar ?? null, options);
  return batchNormOp(input, plan.weight, plan.bias, plan);
}

/** What distinguishes BatchNorm1d, 2d and 3d: the ranks they take and their shapes in messages. */
interface BatchNormLayout {
  readonly ranks: readonly number[];
  readonly layouts: readonly string[];
}

/**
 * The shared base of `BatchNorm1d/2d/3d` (PyTorch's `_BatchNorm`):
 * parameters, buffers and options come from {@link NormBase}; forward
 * chooses the statistics and the momentum factor as PyTorch does.
 */
export abstract class BatchNorm extends NormBase {
  /** The input ranks a subclass takes and how messages spell their shapes (`N, C, H, W` for `BatchNorm2d`, ...). */
  protected abstract readonly layout: BatchNormLayout;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(resolveBatchNormOptions(new.target.name, numFeatures, options));
  }

  /**
   * Normalizes `input` `[N, C, *]` per channel: with the batch's statistics
   * in training mode (updating the running ones, when tracked), with the
   * running ones in evaluation mode (or the batch's, when none are tracked).
   * @throws ShapeError for a wrong rank or channel count, or one value per channel in training.
   * @throws DTypeError when input's dtype is not the layer's.
   */
  forward(input: Tensor): Tensor {
    const name = this.getName();
    checkFloatInput(name, input);
    checkRank(name, input, this.layout.ranks);
    checkChannels(name, input, 1, this.numFeatures, this.layout.layouts);
    const tracked = !this.training || this.trackRunningStats;
    const training = this.training || (this.running_mean === null && this.running_var === null);
    const plan = planBatchNorm(name, input, tracked ? this.running_mean : null, tracked ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training,
      eps: this.eps,
    });
    return batchNormOp(input, plan.weight, plan.bias, { ...plan, momentum: this.advanceMomentum() });
  }

  /**
   * Counts a training batch (when tracked) and returns the factor of the
   * running-statistics update: `momentum`, or `1 / numBatchesTracked` when
   * momentum is null (the cumulative average). Runs after every check.
   */
  private advanceMomentum(): number {
    const counter = this.num_batches_tracked;
    if (!this.training || !this.trackRunningStats || counter === null) return this.momentum ?? 0;
    noGrad(() => add_(counter, 1));
    return this.momentum ?? 1 / counter.item();
  }
}

/**
 * Batch normalization over a 2-D `[N, C]` or 3-D `[N, C, L]` input, like
 * `torch.nn.BatchNorm1d`. See {@link batchNorm} for the math.
 *
 * Parameters (with `affine`): `weight` `[C]` (ones), `bias` `[C]` (zeros).
 * Buffers (with `trackRunningStats`): `running_mean` `[C]` (zeros),
 * `running_var` `[C]` (ones, the unbiased variance), `num_batches_tracked`
 * (int32, 0-d; written as I64 in safetensors).
 *
 * @example
 * ```ts
 * const norm = new BatchNorm1d(16, { momentum: null });
 * const y = norm.forward(randn([32, 16]));
 * norm.eval(); // now normalizes with running_mean and running_var
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  /** Takes `[N, C]` or `[N, C, L]` inputs, as `torch.nn.BatchNorm1d`. */
  protected readonly layout: BatchNormLayout = { ranks: [2, 3], layouts: ['N, C', 'N, C, L'] };
}

/**
 * Batch normalization over a 4-D `[N, C, H, W]` input, like
 * `torch.nn.BatchNorm2d`; parameters and buffers as {@link BatchNorm1d}.
 *
 * @example
 * ```ts
 * const norm = new BatchNorm2d(3);
 * String(norm); // 'BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)'
 * ```
 */
export class BatchNorm2d extends BatchNorm {
  /** Takes `[N, C, H, W]` inputs, as `torch.nn.BatchNorm2d`. */
  protected readonly layout: BatchNormLayout = { ranks: [4], layouts: ['N, C, H, W'] };
}

/**
 * Batch normalization over a 5-D `[N, C, D, H, W]` input, like
 * `torch.nn.BatchNorm3d`; parameters and buffers as {@link BatchNorm1d}.
 */
export class BatchNorm3d extends BatchNorm {
  /** Takes `[N, C, D, H, W]` inputs, as `torch.nn.BatchNorm3d`. */
  protected readonly layout: BatchNormLayout = { ranks: [5], layouts: ['N, C, D, H, W'] };
}
