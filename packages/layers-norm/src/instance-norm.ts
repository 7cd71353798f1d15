/**
 * Instance normalization: the functional `instanceNorm` and the
 * `InstanceNorm1d/2d/3d` layers, as PyTorch's
 * `torch.nn.functional.instance_norm` and `torch/nn/modules/instancenorm.py`.
 * With the input's statistics it is group normalization with one group per
 * channel (the group-norm op); with running statistics it is batch
 * normalization in evaluation mode (the batch-norm op).
 */
import { ShapeError, type Tensor, formatShape } from '@strata/tensor';
import { type BatchNormPlan, createBatchNormOp } from './batch-norm.js';
import { createGroupNormOp } from './group-norm.js';
import { NormBase } from './norm-base.js';
import { type InstanceNormOptions, checkBoolean, checkEps, checkFinite, resolveInstanceNormOptions } from './options.js';
import { checkChannels, checkFloatInput, checkOptionalTensor, checkRank, spatialSize } from './validation.js';

/** Options of the functional {@link instanceNorm}: PyTorch's keyword arguments of `F.instance_norm`. */
export interface InstanceNormFunctionalOptions {
  /**
   * The running mean `[C]` to update (with `useInputStats`) or to normalize with.
   * @defaultValue `null`
   */
  runningMean?: Tensor | null;
  /**
   * The running unbiased variance `[C]` to update or to normalize with.
   * @defaultValue `null`
   */
  runningVar?: Tensor | null;
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
   * Normalize each instance with its own statistics (updating the running
   * ones, when given), rather than with the running statistics.
   * @defaultValue `true`
   */
  useInputStats?: boolean;
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

const instanceStatisticsOp = createGroupNormOp('instanceNorm');
const runningStatisticsOp = createBatchNormOp('instanceNorm');

/** Checks an instance-norm call on a batched input and runs it. */
function runInstanceNorm(name: string, input: Tensor, options: InstanceNormFunctionalOptions): Tensor {
  checkFloatInput(name, input);
  checkRank(name, input, [2], true);
  const channels = input.shape[1]!;
  const reason = `one value per channel of input ${formatShape(input.shape)}`;
  const runningMean = checkOptionalTensor(name, 'runningMean', options.runningMean, [channels], reason, input);
  const runningVar = checkOptionalTensor(name, 'runningVar', options.runningVar, [channels], reason, input);
  const weight = checkOptionalTensor(name, 'weight', options.weight, [channels], reason, input);
  const bias = checkOptionalTensor(name, 'bias', options.bias, [channels], reason, input);
  const useInputStats = checkBoolean(name, 'useInputStats', options.useInputStats ?? true);
  const momentum = checkFinite(name, 'momentum', options.momentum ?? 0.1);
  const eps = checkEps(name, options.eps ?? 1e-5);
  if (!useInputStats && (runningMean === null || runningVar === null)) {
    throw new TypeError(`${name}: runningMean and runningVar must be given when useInputStats is false`);
  }
  if (useInputStats && spatialSize(input.shape) === 1) {
    throw new ShapeError(`${name}: Expected more than 1 spatial element when training, got input size ${formatShape(input.shape)}`);
  }
  if (useInputStats) {
    const tracked = runningMean !== null || runningVar !== null;
    const running = tracked ? { runningMean, runningVar, momentum } : null;
    return instanceStatisticsOp(input, weight, bias, { groups: channels, eps, running });
  }
  const plan: BatchNormPlan = { weight, bias, runningMean, runningVar, useInputStats: false, momentum, eps };
  return runningStatisticsOp(input, weight, bias, plan);
}

/**
 * Instance normalization, like `torch.nn.functional.instance_norm`: each
 * channel of each sample of `input` `[N, C, *]` is normalized by its own
 * mean and biased variance over the spatial dims, then
 * `· weight[c] + bias[c]`.
 *
 * With running statistics and `useInputStats`, they are updated in place
 * with the batch average of the per-instance mean and unbiased variance;
 * without `useInputStats` they are used instead of the instance's.
 *
 * @throws DTypeError when input is not floating point, or a tensor's dtype differs from input's.
 * @throws ShapeError when input has fewer than 2 dims, a tensor is not `[C]`, or training gets one spatial element.
 * @throws TypeError when running statistics are missing without useInputStats.
 * @throws RangeError when momentum or eps is out of range.
 * @example
 * ```ts
 * const y = instanceNorm(randn([2, 3, 16, 16])); // each 16×16 plane to mean 0, variance 1
 * ```
 */
export function instanceNorm(input: Tensor, options: InstanceNormFunctionalOptions = {}): Tensor {
  return runInstanceNorm('instanceNorm', input, options);
}

/**
 * The shared base of `InstanceNorm1d/2d/3d` (PyTorch's `_InstanceNorm`):
 * batched or unbatched input; the running statistics, when tracked, are
 * updated in training mode and used in evaluation mode. Unlike batch norm,
 * `num_batches_tracked` exists (with `trackRunningStats`) but is not counted.
 */
export abstract class InstanceNorm extends NormBase {
  /** The number of spatial dims of a sample. */
  protected abstract readonly spatialDims: number;
  /** The sample layout in messages (`C, H, W`). */
  protected abstract readonly sampleLayout: string;

  constructor(numFeatures: number, options: InstanceNormOptions = {}) {
    super(resolveInstanceNormOptions(new.target.name, numFeatures, options));
  }

  /**
   * Normalizes `input` `[N, C, *]` (or an unbatched `[C, *]`) per sample and channel.
   * @throws ShapeError for a wrong rank, a wrong channel count (with `affine` or `trackRunningStats`), or one spatial element in training.
   * @throws DTypeError when input's dtype is not the layer's.
   */
  forward(input: Tensor): Tensor {
    const name = this.getName();
    checkFloatInput(name, input);
    const batchedRank = this.spatialDims + 2;
    checkRank(name, input, [batchedRank - 1, batchedRank]);
    const unbatched = input.shape.length === batchedRank - 1;
    if (this.affine || this.trackRunningStats) {
      checkChannels(name, input, unbatched ? 0 : 1, this.numFeatures, [`N, ${this.sampleLayout}`, this.sampleLayout]);
    }
    const batched = unbatched ? input.unsqueeze(0) : input;
    const output = runInstanceNorm(name, batched, {
      runningMean: this.running_mean,
      runningVar: this.running_var,
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum ?? 0.1,
      eps: this.eps,
    });
    return unbatched ? output.squeeze(0) : output;
  }
}

/**
 * Instance normalization over `[N, C, L]` or unbatched `[C, L]`, like
 * `torch.nn.InstanceNorm1d`. See {@link instanceNorm} for the math.
 *
 * Parameters (with `affine`, default false): `weight` `[C]` (ones), `bias`
 * `[C]` (zeros). Buffers (with `trackRunningStats`, default false):
 * `running_mean`, `running_var`, `num_batches_tracked`.
 *
 * @example
 * ```ts
 * const norm = new InstanceNorm1d(4, { affine: true });
 * const y = norm.forward(randn([4, 10])); // unbatched
 * ```
 */
export class InstanceNorm1d extends InstanceNorm {
  protected readonly spatialDims = 1;
  protected readonly sampleLayout = 'C, L';
}

/** Instance normalization over `[N, C, H, W]` or `[C, H, W]`, like `torch.nn.InstanceNorm2d`; see {@link InstanceNorm1d}. */
export class InstanceNorm2d extends InstanceNorm {
  protected readonly spatialDims = 2;
  protected readonly sampleLayout = 'C, H, W';
}

/** Instance normalization over `[N, C, D, H, W]` or `[C, D, H, W]`, like `torch.nn.InstanceNorm3d`; see {@link InstanceNorm1d}. */
export class InstanceNorm3d extends InstanceNorm {
  protected readonly spatialDims = 3;
  protected readonly sampleLayout = 'C, D, H, W';
}
