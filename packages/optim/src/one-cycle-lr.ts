import { LRScheduler, type LRSchedulerOptions, checkOptimizer } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';
import { checkBoolean, checkChoice, checkInInterval, checkNumber, checkOptionKeys, checkPositiveInteger, describeValue } from './options.js';
import type { ParamGroup } from './param-group.js';

/** Options of `OneCycleLR` (PyTorch's keyword arguments, camelCase). */
export interface OneCycleLROptions extends LRSchedulerOptions {
  /**
   * The number of steps in the cycle; or give `epochs` and `stepsPerEpoch`.
   * @defaultValue `null`
   */
  totalSteps?: number | null;
  /**
   * The number of epochs (with `stepsPerEpoch`, when `totalSteps` is not given).
   * @defaultValue `null`
   */
  epochs?: number | null;
  /**
   * The number of steps per epoch (with `epochs`).
   * @defaultValue `null`
   */
  stepsPerEpoch?: number | null;
  /**
   * The fraction of the cycle spent increasing the learning rate.
   * @defaultValue `0.3`
   */
  pctStart?: number;
  /**
   * How the learning rate moves between its marks: `'cos'` or `'linear'`.
   * @defaultValue `'cos'`
   */
  annealStrategy?: 'cos' | 'linear';
  /**
   * Cycle the momentum (SGD's and RMSprop's `momentum`, the Adam family's `betas[0]`) inversely to the learning rate.
   * @defaultValue `true`
   */
  cycleMomentum?: boolean;
  /**
   * The momentum at the learning rate's peak; a number or one per group.
   * @defaultValue `0.85`
   */
  baseMomentum?: number | readonly number[];
  /**
   * The momentum at the start and end of the cycle; a number or one per group.
   * @defaultValue `0.95`
   */
  maxMomentum?: number | readonly number[];
  /**
   * The initial learning rate is `maxLr / divFactor`.
   * @defaultValue `25`
   */
  divFactor?: number;
  /**
   * The final learning rate is `initialLr / finalDivFactor`.
   * @defaultValue `1e4`
   */
  finalDivFactor?: number;
  /**
   * Three phases (up, back down to the initial learning rate, then down to the final one) instead of two.
   * @defaultValue `false`
   */
  threePhase?: boolean;
}

type LrKey = 'initialLr' | 'maxLr' | 'minLr';
type MomentumKey = 'maxMomentum' | 'baseMomentum';

/** One phase of the cycle: it ends at step `endStep` and anneals between the named group values. */
interface SchedulePhase {
  endStep: number;
  startLr: LrKey;
  endLr: LrKey;
  startMomentum: MomentumKey;
  endMomentum: MomentumKey;
}

const KEYS = [
  'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum', 'maxMomentum',
  'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch',
];

/** A number for every group. */
function perGroup(name: string, key: string, optimizer: Optimizer, value: unknown): number[] {
  const count = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== count) throw new RangeError(`OneCycleLR: expected ${count} values for ${key}, got ${value.length}`);
    return value.map((item: unknown) => checkNumber(name, key, item));
  }
  return new Array<number>(count).fill(checkNumber(name, key, value));
}

function groupNumber(group: ParamGroup, key: LrKey | MomentumKey): number {
  const value = group[key];
  if (value === undefined) throw new Error(`OneCycleLR: the parameter group has no '${key}' (resuming needs the optimizer's state dict)`);
  return value;
}

/**
 * The 1cycle policy, like `torch.optim.lr_scheduler.OneCycleLR`: the learning
 * rate rises from `maxLr / divFactor` to `maxLr` over the first `pctStart`
 * of the cycle, then falls to `maxLr / (divFactor · finalDivFactor)`; the
 * momentum moves the other way between `maxMomentum` and `baseMomentum`.
 * Step it after every batch, `totalSteps` times at most.
 *
 * @example
 * ```ts
 * const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const scheduler = new OneCycleLR(optimizer, 0.1, { epochs: 10, stepsPerEpoch: batches.length });
 * ```
 */
export class OneCycleLR extends LRScheduler {
  /** The number of steps in the cycle. */
  totalSteps: number;
  /** The phases of the cycle. */
  schedulePhases: SchedulePhase[];
  /** `'cos'` or `'linear'`. */
  annealStrategy: 'cos' | 'linear';
  /** Whether the momentum cycles. */
  cycleMomentum: boolean;
  /** Whether the momentum is `betas[0]` (the Adam family) rather than `momentum`. */
  useBeta1: boolean;

  /**
   * @param maxLr - the peak learning rate; a number or one per group.
   * @throws RangeError for missing or invalid step counts, pctStart outside [0, 1] or a list of the wrong length;
   * TypeError for an unknown annealStrategy; RangeError for an unknown option; Error when cycling momentum on an optimizer without one.
   */
  constructor(optimizer: Optimizer, maxLr: number | readonly number[], options: OneCycleLROptions = {}) {
    const name = 'OneCycleLR';
    checkOptimizer(name, optimizer);
    checkOptionKeys(name, options, KEYS);
    let totalSteps: number;
    if (options.totalSteps !== undefined && options.totalSteps !== null) {
      totalSteps = checkPositiveInteger(name, 'totalSteps', options.totalSteps);
    } else if (options.epochs !== undefined && options.epochs !== null && options.stepsPerEpoch !== undefined && options.stepsPerEpoch !== null) {
      totalSteps = checkPositiveInteger(name, 'epochs', options.epochs) * checkPositiveInteger(name, 'stepsPerEpoch', options.stepsPerEpoch);
    } else {
      throw new RangeError(`${name}: you must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    }
    const pctStart = checkInInterval(name, 'pctStart', options.pctStart ?? 0.3, 0, 1);
    const annealStrategy = checkChoice(name, 'annealStrategy', options.annealStrategy ?? 'cos', ['cos', 'linear'] as const);
    const cycleMomentum = checkBoolean(name, 'cycleMomentum', options.cycleMomentum ?? true);
    const threePhase = checkBoolean(name, 'threePhase', options.threePhase ?? false);
    const divFactor = checkNumber(name, 'divFactor', options.divFactor ?? 25);
    const finalDivFactor = checkNumber(name, 'finalDivFactor', options.finalDivFactor ?? 1e4);
    const maxLrs = perGroup(name, 'maxLr', optimizer, maxLr);
    const maxMomentums = perGroup(name, 'maxMomentum', optimizer, options.maxMomentum ?? 0.95);
    const baseMomentums = perGroup(name, 'baseMomentum', optimizer, options.baseMomentum ?? 0.85);
    const useBeta1 = 'betas' in optimizer.defaults;
    if (cycleMomentum && !useBeta1 && !('momentum' in optimizer.defaults)) {
      throw new Error(`${name}: optimizer must support momentum (momentum or betas) with the cycleMomentum option enabled`);
    }
    const lastEpoch = options.lastEpoch ?? -1;
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((group, index) => {
        group.initialLr = maxLrs[index]! / divFactor;
        group.maxLr = maxLrs[index]!;
        group.minLr = group.initialLr / finalDivFactor;
        if (cycleMomentum) {
          setMomentum(group, useBeta1, maxMomentums[index]!);
          group.maxMomentum = maxMomentums[index]!;
          group.baseMomentum = baseMomentums[index]!;
        }
      });
    }
    super(name, optimizer, lastEpoch);
    this.totalSteps = totalSteps;
    const up = pctStart * totalSteps - 1;
    this.schedulePhases = threePhase
      ? [
          { endStep: up, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pctStart * totalSteps - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: totalSteps - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: up, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: totalSteps - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  /**
   * @throws RangeError when stepped more than `totalSteps` times (nothing changes then).
   */
  override step(): void {
    if (this.lastEpoch + 1 > this.totalSteps) {
      throw new RangeError(`OneCycleLR: tried to step ${this.lastEpoch + 2} times; the specified number of total steps is ${this.totalSteps}`);
    }
    super.step();
  }

  protected override getLr(): number[] {
    const step = this.lastEpoch;
    const phases = this.schedulePhases;
    return this.optimizer.paramGroups.map((group) => {
      let startStep = 0;
      for (let index = 0; index < phases.length; index++) {
        const phase = phases[index]!;
        if (step <= phase.endStep || index === phases.length - 1) {
          const pct = (step - startStep) / (phase.endStep - startStep);
          const lr = this.anneal(groupNumber(group, phase.startLr), groupNumber(group, phase.endLr), pct);
          if (this.cycleMomentum) {
            setMomentum(group, this.useBeta1, this.anneal(groupNumber(group, phase.startMomentum), groupNumber(group, phase.endMomentum), pct));
          }
          return lr;
        }
        startStep = phase.endStep;
      }
      return group.lr;
    });
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }
}

/** Sets a group's momentum: `betas[0]` for the Adam family, else `momentum`. */
function setMomentum(group: ParamGroup, useBeta1: boolean, value: number): void {
  if (!useBeta1) {
    Reflect.set(group, 'momentum', value);
    return;
  }
  const betas: unknown = Reflect.get(group, 'betas');
  if (!Array.isArray(betas)) throw new TypeError(`OneCycleLR: expected the group's betas to be a pair, got ${describeValue(betas)}`);
  Reflect.set(group, 'betas', [value, betas[1]]);
}
