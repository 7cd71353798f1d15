import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';
import { checkNumber, checkOptionKeys, describeValue } from './options.js';

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions extends LRSchedulerOptions {
  /**
   * The smallest learning rate.
   * @defaultValue `0`
   */
  etaMin?: number;
}

/**
 * Anneals each group's learning rate along a cosine from its initial value
 * to `etaMin` over `tMax` epochs, like `torch.optim.lr_scheduler.CosineAnnealingLR`:
 *
 * ```
 * lr = etaMin + (initialLr − etaMin) · (1 + cos(π · epoch / tMax)) / 2
 * ```
 *
 * computed, as in PyTorch, recursively from the current `lr` (so changes made
 * by other schedulers carry over); past `tMax` it climbs back up (a period of
 * `2 · tMax`).
 *
 * @example
 * ```ts
 * const scheduler = new CosineAnnealingLR(optimizer, 100, { etaMin: 1e-5 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** The number of epochs of one half period. */
  tMax: number;
  /** The smallest learning rate. */
  etaMin: number;

  /** @throws RangeError unless `tMax` is a positive number; RangeError for unknown options. */
  constructor(optimizer: Optimizer, tMax: number, options: CosineAnnealingLROptions = {}) {
    checkOptionKeys('CosineAnnealingLR', options, ['etaMin', 'lastEpoch']);
    if (typeof tMax !== 'number' || !(tMax > 0)) {
      throw new RangeError(`CosineAnnealingLR: expected tMax to be a positive number, got ${describeValue(tMax)}`);
    }
    const etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0);
    super('CosineAnnealingLR', optimizer, options.lastEpoch ?? -1);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { lastEpoch, tMax, etaMin } = this;
    if (lastEpoch === 0) return groups.map((group) => group.lr);
    if (this.stepCount === 1 && lastEpoch > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((lastEpoch * Math.PI) / tMax))) / 2);
    }
    if ((lastEpoch - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((group, index) => group.lr + ((this.baseLrs[index]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * lastEpoch) / tMax)) / (1 + Math.cos((Math.PI * (lastEpoch - 1)) / tMax));
    return groups.map((group) => ratio * (group.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}
