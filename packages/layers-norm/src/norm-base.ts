/**
 * The base of the batch and instance norm layers (PyTorch's `_NormBase`):
 * options, the affine parameters, the running statistics and their resets,
 * and the printout.
 */
import { Module, Parameter, formatPythonBool, formatPythonFloat, init } from '@strata/module';
import { type Tensor, ones, zeros } from '@strata/tensor';
import { type ResolvedBatchNormOptions } from './options.js';

/**
 * Parameters `weight` and `bias` (`[numFeatures]`, with `affine`) and
 * buffers `running_mean`, `running_var` and `num_batches_tracked` (with
 * `trackRunningStats`), registered in PyTorch's order so `stateDict()` keys
 * and order are PyTorch's. Absent ones are `null`.
 */
export abstract class NormBase extends Module {
  /** The number of channels `C`. */
  readonly numFeatures: number;
  /** Added to the variance before its square root. */
  readonly eps: number;
  /** The weight of a new batch in the running statistics; `null` for the cumulative average. */
  readonly momentum: number | null;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Whether the running statistics exist. */
  readonly trackRunningStats: boolean;
  /** The per-channel scale `[C]` (ones), or `null` without `affine`. */
  declare weight: Parameter | null;
  /** The per-channel shift `[C]` (zeros), or `null` without `affine`. */
  declare bias: Parameter | null;
  /** The running mean `[C]` (zeros), or `null` without `trackRunningStats`. */
  declare running_mean: Tensor | null;
  /** The running unbiased variance `[C]` (ones), or `null` without `trackRunningStats`. */
  declare running_var: Tensor | null;
  /** The number of training batches seen (int32, 0-d), or `null` without `trackRunningStats`. */
  declare num_batches_tracked: Tensor | null;

  protected constructor(options: ResolvedBatchNormOptions) {
    super();
    this.numFeatures = options.numFeatures;
    this.eps = options.eps;
    this.momentum = options.momentum;
    this.affine = options.affine;
    this.trackRunningStats = options.trackRunningStats;
    const features = options.numFeatures;
    this.registerParameter('weight', options.affine ? new Parameter(ones([features])) : null);
    this.registerParameter('bias', options.affine ? new Parameter(zeros([features])) : null);
    const tracked = options.trackRunningStats;
    this.registerBuffer('running_mean', tracked ? zeros([features]) : null);
    this.registerBuffer('running_var', tracked ? ones([features]) : null);
    this.registerBuffer('num_batches_tracked', tracked ? zeros([], { dtype: 'int32' }) : null);
  }

  /** Sets the running mean to zeros, the running variance to ones and the batch count to 0, in place. */
  resetRunningStats(): void {
    if (this.running_mean !== null) init.zeros_(this.running_mean);
    if (this.running_var !== null) init.ones_(this.running_var);
    if (this.num_batches_tracked !== null) init.zeros_(this.num_batches_tracked);
  }

  /** Resets the running statistics and sets `weight` to ones and `bias` to zeros, in place (PyTorch's init). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  /** PyTorch's printout: `3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True`. */
  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : formatPythonFloat(this.momentum);
    return (
      `${this.numFeatures}, eps=${formatPythonFloat(this.eps)}, momentum=${momentum}, ` +
      `affine=${formatPythonBool(this.affine)}, track_running_stats=${formatPythonBool(this.trackRunningStats)}`
    );
  }
}
