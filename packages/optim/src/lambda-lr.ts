import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';
import { checkOptionKeys, describeValue } from './options.js';

/** A function of the epoch that gives a learning-rate factor. */
export type LRLambda = (epoch: number) => number;

/** One function for every group, or one per group. */
function lambdasFor(name: string, optimizer: Optimizer, lrLambda: LRLambda | readonly LRLambda[]): LRLambda[] {
  const count = optimizer.paramGroups.length;
  if (typeof lrLambda === 'function') return new Array<LRLambda>(count).fill(lrLambda);
  if (!Array.isArray(lrLambda) || !lrLambda.every((item) => typeof item === 'function')) {
    throw new TypeError(`${name}: expected lrLambda to be a function or an array of functions, got ${describeValue(lrLambda)}`);
  }
  if (lrLambda.length !== count) throw new RangeError(`${name}: expected ${count} lrLambdas, but got ${lrLambda.length}`);
  return [...lrLambda];
}

/**
 * Sets each group's learning rate to its initial one times a function of the
 * epoch, like `torch.optim.lr_scheduler.LambdaLR`: `lr = initialLr · lrLambda(epoch)`.
 * The functions are not part of `stateDict()`.
 *
 * @example
 * ```ts
 * const scheduler = new LambdaLR(optimizer, (epoch) => 0.95 ** epoch);
 * const perGroup = new LambdaLR(optimizer, [(epoch) => Math.floor(epoch / 30), (epoch) => 0.95 ** epoch]);
 * ```
 */
export class LambdaLR extends LRScheduler {
  /** One function per group. */
  readonly lrLambdas: LRLambda[];

  /** @throws TypeError unless functions; RangeError when their count differs from the number of groups. */
  constructor(optimizer: Optimizer, lrLambda: LRLambda | readonly LRLambda[], options: LRSchedulerOptions = {}) {
    checkOptionKeys('LambdaLR', options, ['lastEpoch']);
    const lambdas = lambdasFor('LambdaLR', optimizer, lrLambda);
    super('LambdaLR', optimizer, options.lastEpoch ?? -1);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected override getLr(): number[] {
    return this.baseLrs.map((base, index) => base * this.lrLambdas[index]!(this.lastEpoch));
  }
}

/**
 * Multiplies each group's learning rate by a function of the epoch every
 * epoch after the first, like `torch.optim.lr_scheduler.MultiplicativeLR`.
 * The functions are not part of `stateDict()`.
 *
 * @example
 * ```ts
 * const scheduler = new MultiplicativeLR(optimizer, () => 0.95);
 * ```
 */
export class MultiplicativeLR extends LRScheduler {
  /** One function per group. */
  readonly lrLambdas: LRLambda[];

  /** @throws TypeError unless functions; RangeError when their count differs from the number of groups. */
  constructor(optimizer: Optimizer, lrLambda: LRLambda | readonly LRLambda[], options: LRSchedulerOptions = {}) {
    checkOptionKeys('MultiplicativeLR', options, ['lastEpoch']);
    const lambdas = lambdasFor('MultiplicativeLR', optimizer, lrLambda);
    super('MultiplicativeLR', optimizer, options.lastEpoch ?? -1);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch <= 0) return groups.map((group) => group.lr);
    return groups.map((group, index) => group.lr * this.lrLambdas[index]!(this.lastEpoch));
  }
}
