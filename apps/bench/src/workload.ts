import type * as TfjsCore from '@tensorflow/tfjs-core';

/** The TensorFlow.js core module, as a workload receives it (backend already selected). */
export type Tfjs = typeof TfjsCore;

/**
 * One timed unit of work, prepared once (inputs converted, buffers allocated)
 * so that only `run()` is timed.
 */
export interface Runner {
  /** Does the work once: the thing that is timed. */
  run(): void;
  /**
   * The values of the last `run()`'s main output as float32, read after the
   * timing to check that Strata and the peers computed the same thing.
   */
  output?(): Float32Array;
  /** Frees what `run()` left behind (TF.js tensors); called once at the end. */
  dispose?(): void;
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
}

/** The runners of one prepared workload; the inputs are hidden inside. */
export interface PreparedWorkload {
  strata(): Runner;
  tfjs(tf: Tfjs): Runner;
}

/** A workload with its input type erased, as the registry holds it. */
export interface Workload {
  readonly id: string;
  readonly summary: string;
  readonly flop: number | undefined;
  readonly tolerance: number;
  /** Whether a TF.js version exists at all. */
  readonly hasTfjs: boolean;
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
  return {
    id: spec.id,
    summary: spec.summary,
    flop: spec.flop,
    tolerance: spec.tolerance ?? 1e-4,
    hasTfjs: tfjs !== undefined,
    prepare(): PreparedWorkload {
      const inputs = spec.setup();
      return {
        strata: () => spec.strata(inputs),
        tfjs: (tf) => {
          if (tfjs === undefined) throw new UnsupportedError(`${spec.id}: no TensorFlow.js version`);
          return tfjs(tf, inputs);
        },
      };
    },
  };
}
