import type * as JaxModule from '@jax-js/jax';
import type * as TfjsCore from '@tensorflow/tfjs-core';
import type { TimingPolicy } from './harness.js';

/** The TensorFlow.js core module, as a workload receives it (backend already selected). */
export type Tfjs = typeof TfjsCore;

/** The jax-js module, as a workload receives it (its WebAssembly backend initialized and the default device). */
export type Jax = typeof JaxModule;

/**
 * One timed unit of work, prepared once (inputs converted, buffers allocated)
 * so that only `run()` is timed.
 */
export interface Runner {
  /** Does the work once: the thing that is timed. */
  run(): void;
  /**
   * Asynchronous work, timed instead of `run()` when present: for work that
   * must let the event loop turn (a training epoch through `fit`).
   */
  runAsync?(): Promise<void>;
  /**
   * The values of the last `run()`'s main output as float32, read after the
   * timing to check that Strata and the peers computed the same thing.
   */
  output?(): Float32Array;
  /** Frees what `run()` left behind (TF.js tensors); called once at the end. */
  dispose?(): void;
  /** A line for under the table after the timing (e.g. a test accuracy), if any. */
  note?(): string | undefined;
  /**
   * For a peer too slow to do the whole workload: `run()` does a part of it,
   * and its time is multiplied by `factor` (e.g. 938 / 3 for 3 of an
   * epoch's 938 steps). `basis` says what was timed, for the notes; the table
   * marks the time as an estimate.
   */
  readonly extrapolation?: { readonly factor: number; readonly basis: string };
}

/**
 * A workload as a family file writes it: `setup()` makes the seeded inputs
 * once, and each peer's function turns them into a {@link Runner}.
 */
export interface WorkloadSpec<Inputs> {
  /** The id from WORKLOADS.md, e.g. `matmul_512`. */
  readonly id: string;
  /** What is computed, with the sizes, for `--help` and the JSON output. */
  readonly summary: string;
  /** Floating-point operations of one run, where a GFLOP/s figure means something. */
  readonly flop?: number;
  /**
   * The largest difference allowed between Strata's output and a peer's,
   * relative to the largest magnitude of the peer's output.
   * @defaultValue 1e-4
   */
  readonly tolerance?: number;
  /**
   * Run only when `--only` names it or `--full` is given: for workloads that take minutes.
   * @defaultValue false
   */
  readonly onlyOnRequest?: boolean;
  /**
   * Changes to the timing policy for this workload (e.g. one run, no warm-up, for a whole epoch);
   * `python/peer.py` sets the same on its side.
   * @defaultValue none
   */
  readonly policy?: Partial<TimingPolicy>;
  /** Makes the inputs (seeded, identical for every JavaScript peer). */
  setup(): Inputs;
  /** Strata's version of the work. */
  strata(inputs: Inputs): Runner;
  /**
   * TensorFlow.js's version of the work on the backend that is active when
   * it is called. Absent, or throwing {@link UnsupportedError}, when TF.js
   * cannot do it.
   */
  tfjs?(tf: Tfjs, inputs: Inputs): Runner;
  /**
   * jax-js's version of the work, on its WebAssembly backend. Absent, or
   * throwing {@link UnsupportedError}, when jax-js cannot do it.
   */
  jax?(jax: Jax, inputs: Inputs): Runner;
}

/** The runners of one prepared workload; the inputs are hidden inside. */
export interface PreparedWorkload {
  strata(): Runner;
  tfjs(tf: Tfjs): Runner;
  jax(jax: Jax): Runner;
}

/** A workload with its input type erased, as the registry holds it. */
export interface Workload {
  readonly id: string;
  readonly summary: string;
  readonly flop: number | undefined;
  readonly tolerance: number;
  /** Whether a TF.js version exists at all. */
  readonly hasTfjs: boolean;
  /** Whether a jax-js version exists at all. */
  readonly hasJax: boolean;
  /** Whether only `--only` or `--full` runs it. */
  readonly onlyOnRequest: boolean;
  /** This workload's changes to the timing policy. */
  readonly policy: Partial<TimingPolicy>;
  /** Calls `setup()` and binds the inputs to every peer's function. */
  prepare(): PreparedWorkload;
}

/** Thrown by a peer's function when that peer cannot do the workload; the message says why. */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

/**
 * Turns a family file's {@link WorkloadSpec} into a registry entry, so the
 * registry can hold workloads whose inputs have different types.
 */
export function defineWorkload<Inputs>(spec: WorkloadSpec<Inputs>): Workload {
  const tfjs = spec.tfjs;
  const jax = spec.jax;
  return {
    id: spec.id,
    summary: spec.summary,
    flop: spec.flop,
    tolerance: spec.tolerance ?? 1e-4,
    hasTfjs: tfjs !== undefined,
    hasJax: jax !== undefined,
    onlyOnRequest: spec.onlyOnRequest ?? false,
    policy: spec.policy ?? {},
    prepare(): PreparedWorkload {
      const inputs = spec.setup();
      return {
        strata: () => spec.strata(inputs),
        tfjs: (tf) => {
          if (tfjs === undefined) throw new UnsupportedError(`${spec.id}: no TensorFlow.js version`);
          return tfjs(tf, inputs);
        },
        jax: (module) => {
          if (jax === undefined) throw new UnsupportedError(`${spec.id}: no jax-js version`);
          return jax(module, inputs);
        },
      };
    },
  };
}
