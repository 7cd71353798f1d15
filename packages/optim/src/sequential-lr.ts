import { LRScheduler, type LRSchedulerOptions, type LRSchedulerStateDict, bisectRight, checkOptimizer } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';
import { checkOptionKeys, describeValue, isPlainObject } from './options.js';

/**
 * Runs schedulers one after another, switching at the milestone epochs,
 * like `torch.optim.lr_scheduler.SequentialLR` (e.g. a linear warm-up, then
 * cosine annealing). At a milestone the next scheduler starts from its epoch 0.
 *
 * @example
 * ```ts
 * const warmUp = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * const decay = new CosineAnnealingLR(optimizer, 95);
 * const scheduler = new SequentialLR(optimizer, [warmUp, decay], [5]);
 * ```
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers, in order. */
  readonly schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over. */
  milestones: number[];

  /**
   * @throws Error when a scheduler belongs to another optimizer or the milestones are not one fewer than the
   * schedulers; RangeError for milestones that are not increasing integers.
   */
  constructor(optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[], options: LRSchedulerOptions = {}) {
    const name = 'SequentialLR';
    checkOptimizer(name, optimizer);
    checkOptionKeys(name, options, ['lastEpoch']);
    if (!Array.isArray(schedulers) || schedulers.length === 0 || !schedulers.every((scheduler) => scheduler instanceof LRScheduler)) {
      throw new TypeError(`${name}: expected a non-empty array of schedulers, got ${describeValue(schedulers)}`);
    }
    schedulers.forEach((scheduler, index) => {
      if (scheduler.optimizer !== optimizer) {
        throw new Error(
          `${name}: expects all schedulers to belong to the same optimizer, but got the scheduler at index ${index} to be different than the optimizer passed in`,
        );
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new Error(
        `${name}: expects the number of schedulers provided to be one more than the number of milestone points, but got ${schedulers.length} schedulers and ${Array.isArray(milestones) ? milestones.length : describeValue(milestones)} milestones`,
      );
    }
    milestones.forEach((milestone, index) => {
      if (!Number.isInteger(milestone) || (index > 0 && milestone <= milestones[index - 1]!)) {
        throw new RangeError(`${name}: expected milestones to be increasing integers, got ${describeValue(milestones)}`);
      }
    });
    const lastEpoch = options.lastEpoch ?? -1;
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new RangeError(`${name}: expected lastEpoch to be an integer >= -1, got ${lastEpoch}`);
    optimizer.paramGroups.forEach((group, index) => {
      if (group.initialLr === undefined) throw new Error(`${name}: param 'initialLr' is not specified in paramGroups[${index}]`);
    });
    super(name, optimizer, null);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    // PyTorch's SequentialLR: restart from the initial learning rates and replay the first scheduler's first step.
    for (const group of optimizer.paramGroups) group.lr = group.initialLr ?? group.lr;
    for (const scheduler of this.schedulers) scheduler.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  override step(): void {
    this.lastEpoch += 1;
    const index = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[index]!;
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.stepTo(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  protected override getLr(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }

  protected override excludedFromState(): readonly string[] {
    return ['optimizer', 'schedulers'];
  }

  /** Its own fields, and each scheduler's state dict under `schedulers`. */
  override stateDict(): LRSchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((scheduler) => scheduler.stateDict()) };
  }

  /**
   * @throws Error when the number of scheduler states differs, or a state has unknown keys (nothing changes then).
   */
  override loadStateDict(state: LRSchedulerStateDict): void {
    if (!isPlainObject(state) || !Array.isArray(state.schedulers) || state.schedulers.length !== this.schedulers.length) {
      throw new Error(`SequentialLR: loadStateDict: expected a state with ${this.schedulers.length} scheduler states, got ${describeValue(state)}`);
    }
    const { schedulers, ...own } = state;
    const saved: unknown[] = schedulers;
    // Check every part before changing any.
    saved.forEach((child, index) => this.schedulers[index]!.checkStateDict(child));
    this.checkStateDict(own);
    super.loadStateDict(own);
    saved.forEach((child, index) => {
      if (isPlainObject(child)) this.schedulers[index]!.loadStateDict(child);
    });
  }
}
