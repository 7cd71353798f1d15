import { describe, expect, it } from 'vitest';
import { defaultTimingPolicy } from './harness.js';
import { parseBenchArguments } from './options.js';

describe('parseBenchArguments', () => {
  it('defaults to every workload, every peer but the browser, and the default policy', () => {
    const options = parseBenchArguments([]);
    expect(options.only).toEqual([]);
    expect(options.peers).toEqual(['strata', 'tfjs-cpu', 'tfjs-wasm', 'jax', 'torch']);
    expect(options.policy).toEqual(defaultTimingPolicy);
    expect(options.jsonPath).toBeUndefined();
    expect(options.full).toBe(false);
  });

  it('reads --full (also run the workloads that take minutes)', () => {
    expect(parseBenchArguments(['--full']).full).toBe(true);
  });

  it('reads --only, --peers (kept in table order), --reps, --cap-seconds and --json, past a pnpm "--"', () => {
    const options = parseBenchArguments([
      '--', '--only', 'matmul_512,matmul_1024', '--peers', 'torch,strata', '--reps', '20', '--cap-seconds', '2.5', '--json', 'out.json',
    ]);
    expect(options.only).toEqual(['matmul_512', 'matmul_1024']);
    expect(options.peers).toEqual(['strata', 'torch']);
    expect(options.policy.reps).toBe(20);
    expect(options.policy.capSeconds).toBe(2.5);
    expect(options.jsonPath).toBe('out.json');
  });

  it('raises maxReps to --reps when more are asked for', () => {
    expect(parseBenchArguments(['--reps', '800']).policy.maxReps).toBe(800);
  });

  it('throws RangeError on an unknown peer, naming the known ones', () => {
    expect(() => parseBenchArguments(['--peers', 'strata,onnx'])).toThrow(
      new RangeError('bench: unknown peer onnx; expected any of strata, strata-browser, tfjs-cpu, tfjs-wasm, jax, torch'),
    );
  });

  it('runs the browser and jax-js only when --peers names them, in table order', () => {
    expect(parseBenchArguments(['--peers', 'jax,strata-browser,strata']).peers).toEqual(['strata', 'strata-browser', 'jax']);
  });

  it('throws RangeError on a repetition count that is not a positive integer', () => {
    expect(() => parseBenchArguments(['--reps', '0'])).toThrow(
      new RangeError("bench: --reps expects a positive integer, got '0'"),
    );
    expect(() => parseBenchArguments(['--reps', '2.5'])).toThrow(
      new RangeError("bench: --reps expects a positive integer, got '2.5'"),
    );
  });

  it('throws on an unknown option', () => {
    expect(() => parseBenchArguments(['--repeats', '3'])).toThrow(/Unknown option '--repeats'/);
  });
});
