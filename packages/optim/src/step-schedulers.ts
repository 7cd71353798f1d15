import { LRScheduler, type LRSchedulerOptions, bisectRight } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';
import { checkInInterval, checkNumber, checkOptionKeys, checkPositiveInteger, describeValue } from './options.js';

// Schedulers that multiply the learning rate by a factor at some epochs.
// Each has PyTorch's chainable `getLr` (from the groups' current lr) and its
// closed form (from `baseLrs`), which `stepTo` uses.

/** Options of `StepLR`. */
export interface StepLROptions extends LRSchedulerOptions {
  /**
   * The factor applied every `stepSize` epochs.
   * @defaultValue `0.1`
   */
  gamma?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` every `stepSize` epochs,
 * like `torch.optim.lr_scheduler.StepLR`: `lr = initialLr · gamma^⌊epoch / stepSize⌋`.
 *
 * @example
 * ```ts
 * const scheduler = new StepLR(optimizer, 30, { gamma: 0.1 }); // 0.05 → 0.005 at epoch 30 → 0.0005 at 60
 * ```
 */
export class StepLR extends LRScheduler {
  /** The period of the decay, in epochs. */
  stepSize: number;
  /** The decay factor. */
  gamma: number;

  /**
   * @throws RangeError unless `stepSize` is a positive integer; RangeError for unknown options.
   */
  constructor(optimizer: Optimizer, stepSize: number, options: StepLROptions = {}) {
    checkOptionKeys('StepLR', options, ['gamma', 'lastEpoch']);
    checkPositiveInteger('StepLR', 'stepSize', stepSize);
    const gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1);
    super('StepLR', optimizer, options.lastEpoch ?? -1);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((group) => group.lr);
    return groups.map((group) => group.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Options of `MultiStepLR`. */
export interface MultiStepLROptions extends LRSchedulerOptions {
  /**
   * The factor applied at each milestone.
   * @defaultValue `0.1`
   */
  gamma?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` at each milestone epoch,
 * like `torch.optim.lr_scheduler.MultiStepLR` (a milestone listed twice
 * applies `gamma²`).
 *
 * @example
 * ```ts
 * const scheduler = new MultiStepLR(optimizer, [30, 80], { gamma: 0.1 });
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** The milestone epochs, sorted (repeats kept). */
  milestones: number[];
  /** The decay factor. */
  gamma: number;

  /**
   * @throws TypeError unless `milestones` is an array of integers; RangeError for unknown options.
   */
  constructor(optimizer: Optimizer, milestones: readonly number[], options: MultiStepLROptions = {}) {
    checkOptionKeys('MultiStepLR', options, ['gamma', 'lastEpoch']);
    if (!Array.isArray(milestones) || !milestones.every((milestone) => Number.isInteger(milestone))) {
      throw new TypeError(`MultiStepLR: expected milestones to be an array of integers, got ${describeValue(milestones)}`);
    }
    const gamma = checkNumber('MultiStepLR', 'gamma', options.gamma ?? 0.1);
    super('MultiStepLR', optimizer, options.lastEpoch ?? -1);
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count = this.milestones.filter((milestone) => milestone === this.lastEpoch).length;
    if (count === 0) return groups.map((group) => group.lr);
    return groups.map((group) => group.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

/**
 * Multiplies each group's learning rate by `gamma` every epoch, like
 * `torch.optim.lr_scheduler.ExponentialLR`: `lr = initialLr · gamma^epoch`.
 *
 * @example
 * ```ts
 * const scheduler = new ExponentialLR(optimizer, 0.95);
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** The decay factor. */
  gamma: number;

  /** @throws TypeError, RangeError for a non-number gamma; RangeError for unknown options. */
  constructor(optimizer: Optimizer, gamma: number, options: LRSchedulerOptions = {}) {
    checkOptionKeys('ExponentialLR', options, ['lastEpoch']);
    checkNumber('ExponentialLR', 'gamma', gamma);
    super('ExponentialLR', optimizer, options.lastEpoch ?? -1);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((group) => group.lr);
    return groups.map((group) => group.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}

/** Options of `ConstantLR`. */
export interface ConstantLROptions extends LRSchedulerOptions {
  /**
   * The factor applied until `totalIters`, in [0, 1].
   * @defaultValue `1 / 3`
   */
  factor?: number;
  /**
   * The number of epochs the factor applies.
   * @defaultValue `5`
   */
  totalIters?: number;
}

/**
 * Multiplies each group's learning rate by a constant `factor` until epoch
 * `totalIters`, like `torch.optim.lr_scheduler.ConstantLR` (a warm-up).
 *
 * @example
 * ```ts
 * const scheduler = new ConstantLR(optimizer, { factor: 0.5, totalIters: 4 });
 * ```
 */
export class ConstantLR extends LRScheduler {
  /** The factor. */
  factor: number;
  /** The epoch at which the factor stops applying. */
  totalIters: number;

  /** @throws RangeError for a factor outside [0, 1] or a bad totalIters; RangeError for unknown options. */
  constructor(optimizer: Optimizer, options: ConstantLROptions = {}) {
    checkOptionKeys('ConstantLR', options, ['factor', 'totalIters', 'lastEpoch']);
    const factor = checkInInterval('ConstantLR', 'factor', options.factor ?? 1 / 3, 0, 1);
    const totalIters = checkPositiveInteger('ConstantLR', 'totalIters', options.totalIters ?? 5);
    super('ConstantLR', optimizer, options.lastEpoch ?? -1);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((group) => group.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((group) => group.lr);
    return groups.map((group) => group.lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

/** Options of `LinearLR`. */
export interface LinearLROptions extends LRSchedulerOptions {
  /**
   * The factor of the first epoch, in (0, 1].
   * @defaultValue `1 / 3`
   */
  startFactor?: number;
  /**
   * The factor reached at `totalIters`, in [0, 1].
   * @defaultValue `1`
   */
  endFactor?: number;
  /**
   * The number of epochs of the linear change.
   * @defaultValue `5`
   */
  totalIters?: number;
}

/**
 * Changes each group's learning rate linearly from `startFactor · initialLr`
 * to `endFactor · initialLr` over `totalIters` epochs, then keeps it, like
 * `torch.optim.lr_scheduler.LinearLR` (the usual warm-up).
 *
 * @example
 * ```ts
 * const warmUp = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * ```
 */
export class LinearLR extends LRScheduler {
  /** The factor of the first epoch. */
  startFactor: number;
  /** The final factor. */
  endFactor: number;
  /** The number of epochs of the change. */
  totalIters: number;

  /** @throws RangeError for a factor outside its interval or a bad totalIters; RangeError for unknown options. */
  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    checkOptionKeys('LinearLR', options, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    const startFactor = checkInInterval('LinearLR', 'startFactor', options.startFactor ?? 1 / 3, 0, 1);
    if (startFactor === 0) throw new RangeError('LinearLR: invalid startFactor: 0 (expected 0 < value <= 1)');
    const endFactor = checkInInterval('LinearLR', 'endFactor', options.endFactor ?? 1, 0, 1);
    const totalIters = checkPositiveInteger('LinearLR', 'totalIters', options.totalIters ?? 5);
    super('LinearLR', optimizer, options.lastEpoch ?? -1);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((group) => group.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return groups.map((group) => group.lr);
    const change = this.endFactor - this.startFactor;
    const factor = 1 + change / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * change);
    return groups.map((group) => group.lr * factor);
  }

  protected override closedFormLr(): number[] {
    const progress = Math.min(this.totalIters, this.lastEpoch) / this.totalIters;
    return this.baseLrs.map((base) => base * (this.startFactor + (this.endFactor - this.startFactor) * progress));
  }
}

/** Options of `PolynomialLR`. */
export interface PolynomialLROptions extends LRSchedulerOptions {
  /**
   * The number of epochs over which the learning rate decays to 0.
   * @defaultValue `5`
   */
  totalIters?: number;
  /**
   * The power of the polynomial.
   * @defaultValue `1`
   */
  power?: number;
}

/**
 * Decays each group's learning rate to 0 over `totalIters` epochs along a
 * polynomial, like `torch.optim.lr_scheduler.PolynomialLR`:
 * `lr = initialLr · (1 − min(epoch, totalIters) / totalIters)^power`.
 *
 * @example
 * ```ts
 * const scheduler = new PolynomialLR(optimizer, { totalIters: 4, power: 1 });
 * ```
 */
export class PolynomialLR extends LRScheduler {
  /** The number of decaying epochs. */
  totalIters: number;
  /** The power of the polynomial. */
  power: number;

  /** @throws RangeError for a bad totalIters; RangeError for unknown options. */
  constructor(optimizer: Optimizer, options: PolynomialLROptions = {}) {
    checkOptionKeys('PolynomialLR', options, ['totalIters', 'power', 'lastEpoch']);
    const totalIters = checkPositiveInteger('PolynomialLR', 'totalIters', options.totalIters ?? 5);
    const power = checkNumber('PolynomialLR', 'power', options.power ?? 1);
    super('PolynomialLR', optimizer, options.lastEpoch ?? -1);
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return groups.map((group) => group.lr);
    const factor = ((1 - this.lastEpoch / this.totalIters) / (1 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return groups.map((group) => group.lr * factor);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}
