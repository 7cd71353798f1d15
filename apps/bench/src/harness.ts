import type { Runner } from './workload.js';

/** How many times to run a workload and when to stop (WORKLOADS.md's method, with a cap for slow peers). */
export interface TimingPolicy {
  /**
   * Untimed runs before the timed ones; fewer when they use up a quarter of
   * the cap (then the one that crossed it is the last).
   * @defaultValue 3
   */
  warmups: number;
  /**
   * The timed runs wanted; fewer only when the cap stops a slow peer.
   * @defaultValue 10
   */
  reps: number;
  /**
   * Fast workloads keep running past `reps` until this much timed work, so
   * their median rests on enough samples.
   * @defaultValue 1
   */
  minSeconds: number;
  /**
   * The most timed runs, however fast.
   * @defaultValue 500
   */
  maxReps: number;
  /**
   * The time budget of one workload on one peer, warm-ups included: no new
   * run starts once it is spent (one timed run always does).
   * @defaultValue 10
   */
  capSeconds: number;
}

/** The default {@link TimingPolicy}. */
export const defaultTimingPolicy: Readonly<TimingPolicy> = Object.freeze({
  warmups: 3,
  reps: 10,
  minSeconds: 1,
  maxReps: 500,
  capSeconds: 10,
});

/** The timing of one workload on one peer. */
export interface Measurement {
  /** The median of the timed runs, in milliseconds. */
  medianMs: number;
  /** The fastest timed run, in milliseconds. */
  minMs: number;
  /** How many timed runs the median is of. */
  reps: number;
  /** How many warm-up runs came before them. */
  warmups: number;
  /** Whether the cap stopped the runs before `reps` timed runs (or 3 warm-ups) were done. */
  capped: boolean;
  /** A line the runner reported after the timing (e.g. a test accuracy), printed under the table. */
  note?: string;
  /** Set when the times are scaled up from a part of the workload (`Runner.extrapolation`): what was timed. */
  estimatedFrom?: string;
}

/** A measurement of part of a workload scaled up to the whole: both times times `factor`. */
export function extrapolate(measurement: Measurement, factor: number, basis: string): Measurement {
  return { ...measurement, medianMs: measurement.medianMs * factor, minMs: measurement.minMs * factor, estimatedFrom: basis };
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: expected at least one value, got none');
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A clock in milliseconds; injectable so the stopping rules can be tested without timing anything. */
export type Clock = () => number;

/**
 * The stopping rules, one run at a time: the generator pauses where a run
 * goes (warm-ups, then timed runs), and returns the measurement when the
 * policy says stop. The cap is checked between runs, never inside one.
 */
function* runPlan(policy: TimingPolicy, clock: Clock): Generator<void, Measurement, void> {
  const capMs = policy.capSeconds * 1000;
  const start = clock();
  let warmups = 0;
  while (warmups < policy.warmups) {
    yield;
    warmups++;
    if (clock() - start > capMs / 4) break;
  }
  const samples: number[] = [];
  let timedMs = 0;
  for (;;) {
    const before = clock();
    yield;
    const elapsed = clock() - before;
    samples.push(elapsed);
    timedMs += elapsed;
    if (samples.length >= policy.maxReps) break;
    if (samples.length >= policy.reps && timedMs >= policy.minSeconds * 1000) break;
    if (clock() - start >= capMs) break;
  }
  return {
    medianMs: median(samples),
    minMs: Math.min(...samples),
    reps: samples.length,
    warmups,
    capped: samples.length < policy.reps || warmups < policy.warmups,
  };
}

/**
 * Times `runner.run()` by `policy`: warm-ups, then timed runs, the median of
 * the timed runs. The cap is checked between runs, never inside one.
 */
export function measure(runner: Runner, policy: TimingPolicy, clock: Clock = () => performance.now()): Measurement {
  const plan = runPlan(policy, clock);
  for (;;) {
    const step = plan.next();
    if (step.done) return step.value;
    runner.run();
  }
}

/**
 * {@link measure} for work that must let the event loop turn while it runs
 * (`Runner.runAsync`, e.g. a training epoch through `fit`): the same rules.
 */
export async function measureAsync(run: () => Promise<void>, policy: TimingPolicy, clock: Clock = () => performance.now()): Promise<Measurement> {
  const plan = runPlan(policy, clock);
  for (;;) {
    const step = plan.next();
    if (step.done) return step.value;
    await run();
  }
}

/** The largest |ours - theirs| relative to the largest |theirs| (0 for two all-zero outputs). */
export function relativeDifference(ours: Float32Array, theirs: Float32Array): number {
  if (ours.length !== theirs.length) return Number.POSITIVE_INFINITY;
  let largestDifference = 0;
  let largestMagnitude = 0;
  let sawNaN = false;
  for (let i = 0; i < ours.length; i++) {
    const difference = Math.abs(ours[i]! - theirs[i]!);
    if (Number.isNaN(difference)) sawNaN = true;
    else if (difference > largestDifference) largestDifference = difference;
    const magnitude = Math.abs(theirs[i]!);
    if (magnitude > largestMagnitude) largestMagnitude = magnitude;
  }
  if (sawNaN) return Number.NaN;
  return largestMagnitude === 0 ? largestDifference : largestDifference / largestMagnitude;
}
