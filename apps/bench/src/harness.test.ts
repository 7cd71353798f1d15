import { describe, expect, it } from 'vitest';
import { type TimingPolicy, defaultTimingPolicy, extrapolate, measure, measureAsync, median, relativeDifference } from './harness.js';

/** A runner on a fake clock: each run() advances it by the next of `durations` (the last one repeats). */
function fakeRunner(durations: readonly number[]): { runner: { run(): void }; clock: () => number; runs: () => number } {
  let now = 0;
  let count = 0;
  return {
    runner: {
      run: () => {
        now += durations[Math.min(count, durations.length - 1)]!;
        count++;
      },
    },
    clock: () => now,
    runs: () => count,
  };
}

const policy: TimingPolicy = { warmups: 3, reps: 10, minSeconds: 0.05, maxReps: 500, capSeconds: 10 };

describe('median', () => {
  it('takes the middle value of an odd count, unsorted input', () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it('takes the mean of the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder its argument', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('throws RangeError on an empty list', () => {
    expect(() => median([])).toThrow(new RangeError('median: expected at least one value, got none'));
  });
});

describe('measureAsync', () => {
  it('follows the rules of measure, awaiting each run', async () => {
    const durations = [100, 100, 100, 7, 9, 8];
    const synchronous = fakeRunner(durations);
    const expected = measure(synchronous.runner, { ...policy, reps: 3, minSeconds: 0 }, synchronous.clock);
    const asynchronous = fakeRunner(durations);
    let pending = 0;
    const result = await measureAsync(
      async () => {
        pending++;
        await new Promise((resolve) => setImmediate(resolve));
        asynchronous.runner.run();
        pending--;
      },
      { ...policy, reps: 3, minSeconds: 0 },
      asynchronous.clock,
    );
    expect(result).toEqual(expected);
    expect(result.medianMs).toBe(8);
    expect(pending).toBe(0);
  });

  it('one run without warm-up, as fashion_mnist_epoch asks', async () => {
    const { runner, clock, runs } = fakeRunner([5000]);
    const result = await measureAsync(async () => runner.run(), { ...policy, warmups: 0, reps: 1, minSeconds: 0 }, clock);
    expect(result).toEqual({ medianMs: 5000, minMs: 5000, reps: 1, warmups: 0, capped: false });
    expect(runs()).toBe(1);
  });
});

describe('measure', () => {
  it('runs 3 warm-ups, then keeps timing a fast workload until minSeconds of work', () => {
    const { runner, clock, runs } = fakeRunner([1]);
    const result = measure(runner, policy, clock);
    // 50 ms of timed work at 1 ms a run: 50 timed runs, past the 10 asked for.
    expect(result).toEqual({ medianMs: 1, minMs: 1, reps: 50, warmups: 3, capped: false });
    expect(runs()).toBe(53);
  });

  it('stops at reps when those already reach minSeconds', () => {
    const { runner, clock } = fakeRunner([20]);
    const result = measure(runner, policy, clock);
    expect(result.reps).toBe(10);
    expect(result.capped).toBe(false);
  });

  it('times the timed runs only, not the warm-ups', () => {
    const { runner, clock } = fakeRunner([100, 100, 100, 7, 9, 8]);
    const result = measure(runner, { ...policy, reps: 3, minSeconds: 0 }, clock);
    expect(result.medianMs).toBe(8);
    expect(result.minMs).toBe(7);
  });

  it('caps a slow peer: one warm-up past a quarter of the cap, then runs until the cap is spent', () => {
    const { runner, clock, runs } = fakeRunner([4000]);
    const result = measure(runner, policy, clock);
    // Warm-up ends at 4 s (> 2.5 s); timed runs end at 8 s (< 10 s, go on) and 12 s (stop).
    expect(result).toEqual({ medianMs: 4000, minMs: 4000, reps: 2, warmups: 1, capped: true });
    expect(runs()).toBe(3);
  });

  it('always does one timed run, even when the warm-up alone is over the cap', () => {
    const { runner, clock } = fakeRunner([30_000]);
    const result = measure(runner, policy, clock);
    expect(result.reps).toBe(1);
    expect(result.warmups).toBe(1);
    expect(result.capped).toBe(true);
  });

  it('stops at maxReps however fast the runs are', () => {
    const { runner, clock } = fakeRunner([0]);
    expect(measure(runner, { ...policy, maxReps: 40 }, clock).reps).toBe(40);
  });

  it('defaults to WORKLOADS.md: 3 warm-ups, at least 10 timed runs', () => {
    expect(defaultTimingPolicy.warmups).toBe(3);
    expect(defaultTimingPolicy.reps).toBe(10);
  });
});

describe('relativeDifference', () => {
  it('is the largest absolute difference over the largest magnitude of the reference', () => {
    expect(relativeDifference(Float32Array.of(1, 2), Float32Array.of(1, 2.5))).toBeCloseTo(0.5 / 2.5, 7);
  });

  it('is 0 for identical outputs, all-zero ones included', () => {
    expect(relativeDifference(Float32Array.of(0, 0), Float32Array.of(0, 0))).toBe(0);
    expect(relativeDifference(Float32Array.of(-3, 4), Float32Array.of(-3, 4))).toBe(0);
  });

  it('is NaN when either side has a NaN, even followed by equal values', () => {
    expect(relativeDifference(Float32Array.of(Number.NaN, 1), Float32Array.of(1, 1))).toBeNaN();
  });

  it('is Infinity for outputs of different lengths', () => {
    expect(relativeDifference(Float32Array.of(1), Float32Array.of(1, 2))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('extrapolate', () => {
  it('scales both times by the factor, keeps the counts, and records what was timed', () => {
    const part = { medianMs: 120, minMs: 110, reps: 1, warmups: 0, capped: false };
    expect(extrapolate(part, 938 / 3, '3 of 938 steps')).toEqual({
      medianMs: 37_520,
      minMs: 110 * (938 / 3),
      reps: 1,
      warmups: 0,
      capped: false,
      estimatedFrom: '3 of 938 steps',
    });
  });
});
