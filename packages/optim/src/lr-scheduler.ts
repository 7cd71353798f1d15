import { Optimizer } from './optimizer.js';
import { describeValue, isPlainObject } from './options.js';

/** Options every epoch-based scheduler takes. */
export interface LRSchedulerOptions {
  /**
   * The index of the last epoch: `-1` starts the schedule; another value
   * resumes one (every parameter group must then have `initialLr`).
   * @defaultValue `-1`
   */
  lastEpoch?: number;
}

/** A scheduler's state dict: its fields by name (camelCase PyTorch attribute names), copied. */
export type LRSchedulerStateDict = Record<string, unknown>;

/** @throws TypeError unless `optimizer` is an `Optimizer`. */
export function checkOptimizer(name: string, optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${name}: ${describeValue(optimizer)} is not an Optimizer`);
}

/** Python's `bisect_right`: the number of entries of sorted `values` that are `<= value`. */
export function bisectRight(values: readonly number[], value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (value < values[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * The base class of learning-rate schedulers, like PyTorch's
 * `torch.optim.lr_scheduler.LRScheduler`: each `step()` advances `lastEpoch`
 * and writes the new learning rate into every parameter group's `lr`.
 *
 * A subclass calls `super(name, optimizer, lastEpoch)`, sets its own fields,
 * then calls `initialStep()` (which sets the first learning rates), and
 * implements `getLr()` (PyTorch's chainable form: from the groups' current
 * `lr`) and optionally `closedFormLr()`.
 *
 * Call `optimizer.step()` before `scheduler.step()` in each iteration.
 *
 * @example
 * ```ts
 * const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const scheduler = new StepLR(optimizer, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   train(model, optimizer);
 *   scheduler.step();
 * }
 * ```
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's starting learning rate (`initialLr`). */
  baseLrs: number[];
  /** The index of the current epoch (the number of `step()` calls so far, minus one, from a fresh start). */
  lastEpoch: number;
  /** The number of steps taken, the initial one included (PyTorch's `_step_count`). */
  protected stepCount = 0;
  /** The learning rates set by the last step. */
  protected lastLr: number[];
  readonly #name: string;

  /**
   * @param name - the class name for error messages.
   * @param optimizer - the optimizer to schedule.
   * @param lastEpoch - `-1` to start (sets each group's `initialLr` to its `lr` unless set), another epoch to
   * resume, or `null` for a scheduler without epochs (`ReduceLROnPlateau`), which leaves the groups alone.
   * @throws TypeError for a non-optimizer; RangeError for a bad `lastEpoch`; Error when resuming without `initialLr`.
   */
  protected constructor(name: string, optimizer: Optimizer, lastEpoch: number | null = -1) {
    checkOptimizer(name, optimizer);
    this.#name = name;
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups;
    if (lastEpoch === null) {
      this.baseLrs = groups.map((group) => group.lr);
      this.lastEpoch = 0;
    } else {
      if (typeof lastEpoch !== 'number' || !Number.isInteger(lastEpoch) || lastEpoch < -1) {
        throw new RangeError(`${name}: expected lastEpoch to be an integer >= -1, got ${describeValue(lastEpoch)}`);
      }
      if (lastEpoch === -1) {
        for (const group of groups) group.initialLr ??= group.lr;
      }
      this.baseLrs = groups.map((group, index) => {
        if (group.initialLr === undefined) {
          throw new Error(`${name}: param 'initialLr' is not specified in paramGroups[${index}] when resuming an optimizer`);
        }
        return group.initialLr;
      });
      this.lastEpoch = lastEpoch;
    }
    this.lastLr = groups.map((group) => group.lr);
  }

  /** The class name, for messages. */
  protected get name(): string {
    return this.#name;
  }

  /**
   * PyTorch's `_initial_step`: resets the step count and takes the first
   * step, which sets the learning rates of `lastEpoch + 1`. Subclass
   * constructors call it last; `SequentialLR` calls it on its first scheduler.
   */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances the schedule by one epoch and sets each group's `lr`. */
  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    this.applyLrs(this.getLr());
  }

  /**
   * Jumps to `epoch` and sets the learning rates from the closed form where
   * the scheduler has one (PyTorch's deprecated `step(epoch)`, which
   * `SequentialLR` uses at its milestones).
   * @throws RangeError when `epoch` is not an integer.
   */
  stepTo(epoch: number): void {
    if (typeof epoch !== 'number' || !Number.isInteger(epoch)) {
      throw new RangeError(`${this.#name}: expected the epoch to be an integer, got ${describeValue(epoch)}`);
    }
    this.stepCount += 1;
    this.lastEpoch = epoch;
    this.applyLrs(this.closedFormLr() ?? this.getLr());
  }

  /** The learning rates the last step set, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The learning rates of `lastEpoch`, usually from the groups' current `lr`
   * (PyTorch's chainable form, so that schedulers compose).
   */
  protected abstract getLr(): number[];

  /** The learning rates of `lastEpoch` from `baseLrs` alone, or `null` when the scheduler has no closed form. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Writes one learning rate per group and records them. */
  protected applyLrs(values: readonly number[]): void {
    const groups = this.optimizer.paramGroups;
    values.forEach((value, index) => {
      if (typeof value !== 'number') throw new TypeError(`${this.#name}: the learning rate of group ${index} is ${describeValue(value)}, not a number`);
    });
    for (let index = 0; index < groups.length && index < values.length; index++) groups[index]!.lr = values[index]!;
    this.lastLr = groups.map((group) => group.lr);
  }

  /** Field names `stateDict()` leaves out (the optimizer, functions). */
  protected excludedFromState(): readonly string[] {
    return ['optimizer'];
  }

  /**
   * The scheduler's state: every field (PyTorch's attributes, camelCase)
   * except the optimizer and functions, copied. Save it with the
   * optimizer's `stateDict()`.
   */
  stateDict(): LRSchedulerStateDict {
    const excluded = this.excludedFromState();
    const state: LRSchedulerStateDict = {};
    for (const [key, value] of Object.entries(this)) {
      if (excluded.includes(key) || typeof value === 'function') continue;
      if (Array.isArray(value) && value.some((item) => typeof item === 'function')) continue;
      state[key] = structuredClone(value);
    }
    return state;
  }

  /**
   * Checks that `state` could be loaded: an object whose keys this scheduler has.
   * @throws TypeError for a non-object; Error for an unknown key.
   */
  checkStateDict(state: unknown): asserts state is LRSchedulerStateDict {
    if (!isPlainObject(state)) throw new TypeError(`${this.#name}: loadStateDict: expected an object from stateDict(), got ${describeValue(state)}`);
    const known = Object.keys(this.stateDict());
    for (const key of Object.keys(state)) {
      if (!known.includes(key)) throw new Error(`${this.#name}: loadStateDict: unexpected key '${key}' (expected ${known.join(', ')})`);
    }
  }

  /**
   * Restores a state from `stateDict()` (of a scheduler of the same class).
   * @throws TypeError for a non-object; Error for a key this scheduler does not have (nothing is changed then).
   */
  loadStateDict(state: LRSchedulerStateDict): void {
    this.checkStateDict(state);
    for (const [key, value] of Object.entries(state)) Reflect.set(this, key, structuredClone(value));
  }
}
