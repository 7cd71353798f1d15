import type { Tensor } from '@strata/tensor';
import type { Callback, Logs, TrainingRun } from './callback.js';
import type { StateValue } from './state-codec.js';

/** Whether a smaller or a larger monitored value is better; `'auto'` picks `'max'` for names with `acc` in them. */
export type MonitorMode = 'min' | 'max' | 'auto';

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /**
   * The logged figure to watch (`'valLoss'`, `'valAccuracy'`, `'loss'`, ...).
   * @defaultValue `'valLoss'`
   */
  monitor?: string;
  /**
   * Whether lower (`'min'`) or higher (`'max'`) is better.
   * @defaultValue `'auto'`: `'max'` when the name contains `acc`, else `'min'`
   */
  mode?: MonitorMode;
  /**
   * Epochs without improvement to wait before stopping.
   * @defaultValue 0
   */
  patience?: number;
  /**
   * The least change that counts as an improvement.
   * @defaultValue 0
   */
  minDelta?: number;
  /**
   * When training ends, load the weights of the best epoch back into the model.
   * @defaultValue false
   */
  restoreBestWeights?: boolean;
  /**
   * A value the figure must beat to count as an improvement at all.
   * @defaultValue none
   */
  baseline?: number | null;
}

/** Resolves `'auto'`: `'max'` for accuracy-like names, as Keras does. */
export function resolveMonitorMode(mode: MonitorMode, monitor: string, owner: string): 'min' | 'max' {
  if (mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new RangeError(`${owner}: mode must be 'min', 'max' or 'auto', got ${JSON.stringify(mode)}`);
  if (mode !== 'auto') return mode;
  return /acc/i.test(monitor) ? 'max' : 'min';
}

/** The monitored figure of an epoch's logs. @throws Error naming the figures there are when it is missing. */
export function monitoredValue(logs: Logs, monitor: string, owner: string): number {
  const value = logs[monitor];
  if (value === undefined) {
    throw new Error(
      `${owner}: the epoch's logs have no '${monitor}' (they have ${Object.keys(logs).join(', ')}); ` +
        'monitor one of those, or give fit validation data for the val… figures',
    );
  }
  return value;
}

/**
 * Stops training when a monitored figure has stopped improving, like Keras'
 * `EarlyStopping`: after `patience` epochs in a row without an improvement
 * of more than `minDelta`, it sets `run.stopTraining`. With
 * `restoreBestWeights`, the model ends with the best epoch's weights.
 *
 * @example
 * ```ts
 * await fit(model, { ..., validation, callbacks: [new EarlyStopping({ monitor: 'valLoss', patience: 3, restoreBestWeights: true })] });
 * ```
 * @throws RangeError for a negative patience or minDelta, or an unknown mode.
 */
export class EarlyStopping implements Callback {
  /** The logged figure watched (`'valLoss'` by default). */
  readonly monitor: string;
  /** Whether lower (`'min'`) or higher (`'max'`) values of `monitor` are better, with `'auto'` resolved. */
  readonly mode: 'min' | 'max';
  /** The number of epochs in a row without improvement after which training stops (0 by default). */
  readonly patience: number;
  /** The least change of `monitor` that counts as an improvement, as an absolute value (0 by default). */
  readonly minDelta: number;
  /** Whether the best epoch's weights are loaded back into the model when training ends (`false` by default). */
  readonly restoreBestWeights: boolean;
  /** A value `monitor` must beat to count as an improvement at all, or `null` (none, the default). */
  readonly baseline: number | null;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The best value so far. */
  best = Number.NaN;
  /** The epoch of the best value (from 0), or -1. */
  bestEpoch = -1;
  /** The epoch training was stopped after, or -1. */
  stoppedEpoch = -1;
  private bestWeights: Record<string, Tensor> | null = null;
  private resumed = false;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = resolveMonitorMode(options.mode ?? 'auto', this.monitor, 'EarlyStopping');
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new RangeError(`EarlyStopping: patience must be a non-negative integer, got ${this.patience}`);
    this.minDelta = Math.abs(options.minDelta ?? 0);
    if (!Number.isFinite(this.minDelta)) throw new RangeError(`EarlyStopping: minDelta must be a finite number, got ${options.minDelta}`);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.baseline = options.baseline ?? null;
    this.reset();
  }

  private reset(): void {
    this.wait = 0;
    this.best = this.baseline ?? (this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.bestWeights = null;
  }

  /** Whether `value` improves on `best` by more than `minDelta`. */
  private improves(value: number): boolean {
    return this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
  }

  /**
   * Starts counting afresh, unless the state was just restored
   * from a checkpoint (a resumed run goes on counting).
   */
  onTrainBegin(): void {
    if (!this.resumed) this.reset();
    this.resumed = false;
  }

  onEpochEnd(epoch: number, logs: Logs, run: TrainingRun): void {
    const value = monitoredValue(logs, this.monitor, 'EarlyStopping');
    if (this.improves(value)) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = cloneState(run.model.stateDict());
      return;
    }
    this.wait++;
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      run.stopTraining = true;
    }
  }

  /**
   * With `restoreBestWeights`, loads the best epoch's weights back
   * into the model (unless the last epoch was the best).
   */
  onTrainEnd(run: TrainingRun): void {
    if (this.restoreBestWeights && this.bestWeights !== null && this.bestEpoch !== run.epoch) run.model.loadStateDict(this.bestWeights);
  }

  stateDict(): StateValue {
    return { wait: this.wait, best: this.best, bestEpoch: this.bestEpoch, stoppedEpoch: this.stoppedEpoch, bestWeights: this.bestWeights };
  }

  loadStateDict(state: StateValue): void {
    const saved = state as { wait: number; best: number; bestEpoch: number; stoppedEpoch: number; bestWeights: Record<string, Tensor> | null };
    this.wait = saved.wait;
    this.best = saved.best;
    this.bestEpoch = saved.bestEpoch;
    this.stoppedEpoch = saved.stoppedEpoch;
    this.bestWeights = saved.bestWeights;
    this.resumed = true;
  }
}

function cloneState(state: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const copy: Record<string, Tensor> = {};
  for (const [key, tensor] of Object.entries(state)) copy[key] = tensor.clone();
  return copy;
}
