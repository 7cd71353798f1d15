/**
 * The running-statistics update that batch and instance norm do in their
 * forward (grad mode off, after every check has passed), with PyTorch's
 * momentum rule, as the registered kernel `runningStatsUpdate`.
 */
import { type Tensor, getKernel, registerKernel } from '@strata/tensor';

/** The scalars of a `runningStatsUpdate` call. */
export interface RunningStatsScalars {
  /** The weight of the new statistics: `running = (1 − momentum) · running + momentum · new`. */
  momentum: number;
  /** The eps the normalization added to the variance before `invstd = 1 / √(variance + eps)`. */
  eps: number;
  /** Elements behind each mean (for Bessel's `count / (count − 1)`). */
  count: number;
}

declare module '@strata/tensor' {
  interface KernelRegistry {
    /**
     * Blends new statistics into the running ones in place (through their
     * strides; 1-d [C]): `mean` and `invstd` are the normalization's float64
     * [..., C] statistics; each channel's new mean is the average over the
     * leading rows (instance norm's batch; none for batch norm) of `mean`,
     * its new variance that average of the unbiased variance behind `invstd`.
     * Either running tensor may be `null`. Bumps their storage versions.
     */
    runningStatsUpdate: (runningMean: Tensor | null, runningVar: Tensor | null, mean: Tensor, invstd: Tensor, scalars: RunningStatsScalars) => void;
  }
}

/**
 * The unbiased variance (Bessel's `count / (count − 1)`) behind an
 * `invstd = 1 / √(variance + eps)`; never negative.
 */
export function unbiasedVariance(invstd: number, eps: number, count: number): number {
  const biased = Math.max(0, 1 / (invstd * invstd) - eps);
  return (biased * count) / (count - 1);
}

/** `running = (1 − momentum) · running + momentum · values`, through `running`'s strides, bumping its version. */
function blend(running: Tensor, values: Float64Array, momentum: number): void {
  const data = running.storage.data;
  const stride = running.strides[0] ?? 1;
  let position = running.offset;
  for (let i = 0; i < values.length; i++, position += stride) {
    data[position] = (1 - momentum) * data[position]! + momentum * values[i]!;
  }
  running.storage.version++;
}

/** The CPU `runningStatsUpdate` kernel. */
export function runningStatsUpdateKernel(
  runningMean: Tensor | null, runningVar: Tensor | null, mean: Tensor, invstd: Tensor, scalars: RunningStatsScalars,
): void {
  const channels = mean.shape[mean.ndim - 1] ?? 1;
  const rows = channels === 0 ? 0 : mean.numel() / channels;
  if (rows === 0) return;
  const means = mean.contiguousData();
  const invstds = invstd.contiguousData();
  const newMean = new Float64Array(channels);
  const newVar = new Float64Array(channels);
  for (let n = 0; n < rows; n++) {
    for (let c = 0; c < channels; c++) {
      newMean[c] += means[n * channels + c]! / rows;
      newVar[c] += unbiasedVariance(invstds[n * channels + c]!, scalars.eps, scalars.count) / rows;
    }
  }
  if (runningMean !== null) blend(runningMean, newMean, scalars.momentum);
  if (runningVar !== null) blend(runningVar, newVar, scalars.momentum);
}

registerKernel('runningStatsUpdate', runningStatsUpdateKernel);

/** Runs the active `runningStatsUpdate` kernel (what batch and instance norm call). */
export function updateRunningStats(
  runningMean: Tensor | null, runningVar: Tensor | null, mean: Tensor, invstd: Tensor, scalars: RunningStatsScalars,
): void {
  getKernel('runningStatsUpdate')(runningMean, runningVar, mean, invstd, scalars);
}
