import { Tensor } from '@strata/tensor';
import { LRScheduler, type LRSchedulerStateDict, checkOptimizer } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';
import { checkChoice, checkInInterval, checkNonNegative, checkOptionKeys, describeValue } from './options.js';

/** Options of `ReduceLROnPlateau` (PyTorch's keyword arguments, camelCase). */
export interface ReduceLROnPlateauOptions {
  /**
   * `'min'`: reduce when the metric stops decreasing; `'max'`: when it stops increasing.
   * @defaultValue `'min'`
   */
  mode?: 'min' | 'max';
  /**
   * The factor a reduction multiplies the learning rate by, in [0, 1).
   * @defaultValue `0.1`
   */
  factor?: number;
  /**
   * The number of epochs without improvement tolerated before reducing.
   * @defaultValue `10`
   */
  patience?: number;
  /**
   * How much better than the best a metric must be to count as an improvement.
   * @defaultValue `1e-4`
   */
  threshold?: number;
  /**
   * `'rel'`: better than `best · (1 ∓ threshold)`; `'abs'`: better than `best ∓ threshold`.
   * @defaultValue `'rel'`
   */
  thresholdMode?: 'rel' | 'abs';
  /**
   * The number of epochs after a reduction during which bad epochs are not counted.
   * @defaultValue `0`
   */
  cooldown?: number;
  /**
   * The smallest learning rate; a number or one per group.
   * @defaultValue `0`
   */
  minLr?: number | readonly number[];
  /**
   * A reduction smaller than this is skipped.
   * @defaultValue `1e-8`
   */
  eps?: number;
}

const KEYS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];

function checkCount(name: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name}: expected ${key} to be an integer >= 0, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Reduces the learning rate when a metric has stopped improving, like
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: after more than `patience`
 * epochs without improvement, each group's `lr` becomes
 * `max(lr · factor, minLr)`. Call `step(metric)` once per epoch with the
 * metric (e.g. the validation loss).
 *
 * @example
 * ```ts
 * const scheduler = new ReduceLROnPlateau(optimizer, { mode: 'min', patience: 5 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   train(model, optimizer);
 *   scheduler.step(validate(model));
 * }
 * ```
 */
export class ReduceLROnPlateau extends LRScheduler {
  /** The reduction factor. */
  factor: number;
  /** The smallest learning rate of each group. */
  minLrs: number[];
  /** Epochs without improvement tolerated. */
  patience: number;
  /** Epochs of cooldown after a reduction. */
  cooldown: number;
  /** Cooldown epochs left. */
  cooldownCounter = 0;
  /** `'min'` or `'max'`. */
  mode: 'min' | 'max';
  /** The improvement threshold. */
  threshold: number;
  /** `'rel'` or `'abs'`. */
  thresholdMode: 'rel' | 'abs';
  /** The best metric so far (`Infinity` in min mode before the first step). */
  best: number;
  /** Epochs without improvement so far. */
  numBadEpochs = 0;
  /** The worst value of the mode, where `best` starts. */
  modeWorse: number;
  /** The smallest reduction applied. */
  eps: number;

  /**
   * @throws RangeError for a factor outside [0, 1), a negative patience, cooldown, threshold or eps, or a minLr list
   * of the wrong length; TypeError for an unknown mode or thresholdMode; RangeError for an unknown option.
   */
  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    checkOptimizer(name, optimizer);
    checkOptionKeys(name, options, KEYS);
    const factor = checkInInterval(name, 'factor', options.factor ?? 0.1, 0, 1, true);
    const count = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    let minLrs: number[];
    if (Array.isArray(minLr)) {
      if (minLr.length !== count) throw new RangeError(`${name}: expected ${count} minLrs, got ${minLr.length}`);
      minLrs = minLr.map((value: unknown) => checkNonNegative(name, 'minLr', value));
    } else {
      minLrs = new Array<number>(count).fill(checkNonNegative(name, 'minLr', minLr));
    }
    const patience = checkCount(name, 'patience', options.patience ?? 10);
    const cooldown = checkCount(name, 'cooldown', options.cooldown ?? 0);
    const mode = checkChoice(name, 'mode', options.mode ?? 'min', ['min', 'max'] as const);
    const thresholdMode = checkChoice(name, 'thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    const threshold = checkNonNegative(name, 'threshold', options.threshold ?? 1e-4);
    const eps = checkNonNegative(name, 'eps', options.eps ?? 1e-8);
    super(name, optimizer, null);
    this.factor = factor;
    this.minLrs = minLrs;
    this.patience = patience;
    this.cooldown = cooldown;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.modeWorse = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.best = this.modeWorse;
    this.eps = eps;
  }

  /**
   * Records one epoch's metric and reduces the learning rates after more
   * than `patience` epochs without improvement.
   * @param metrics - the epoch's metric: a number or a one-element tensor.
   * @throws TypeError without a metric.
   */
  override step(metrics?: number | Tensor): void {
    const current = metrics instanceof Tensor ? metrics.item() : metrics;
    if (typeof current !== 'number') {
      throw new TypeError(`ReduceLROnPlateau: step needs the epoch's metric (scheduler.step(validationLoss)), got ${describeValue(metrics)}`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  /** Whether `metric` improves on `best` by more than the threshold. */
  isBetter(metric: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return metric < best * (1 - this.threshold);
    if (this.mode === 'min') return metric < best - this.threshold;
    if (this.thresholdMode === 'rel') return metric > best * (this.threshold + 1);
    return metric > best + this.threshold;
  }

  /** Whether the scheduler is in its cooldown after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  protected override getLr(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }

  /** Also accepts `null` for `best` and `modeWorse` (what `JSON.stringify` makes of the infinities). */
  override loadStateDict(state: LRSchedulerStateDict): void {
    super.loadStateDict(state);
    const worse = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.modeWorse = worse;
    if (this.best === null) this.best = worse;
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, index) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[index]!);
      if (oldLr - newLr > this.eps) group.lr = newLr;
    });
  }
}
