/**
 * The backend conformance suite: every kernel a backend registers, run on
 * random shapes, layouts (offsets, transposes, strides, stride-0
 * broadcasts) and dtypes, against the reference kernel run on contiguous
 * copies of the same arguments: the `cpu` TypeScript kernel, or for the CPU
 * backend its `composite` default where there is one, else the CPU kernel
 * itself (which then checks that it reads every layout right). Results and
 * every tensor argument afterwards are compared, so a kernel that writes
 * into an input it should only read fails too.
 */
import { type KernelName, kernelBackends, kernelOf, listKernels } from '../registry.js';
import { Generator } from '../random.js';
import { Tensor } from '../tensor.js';
import { CORE_CASES, DECLINABLE, IN_PLACE, type ArgumentDraw } from './cases.js';
import { DEFAULT_TOLERANCES, type Tolerance, assertMatches } from './compare.js';
import { OperandSource, cloneTensor } from './operands.js';

/** One runnable check: `run()` throws an Error describing the first mismatch. */
export interface ConformanceCase {
  /** `kernel` plus what it checks, for the test name. */
  readonly name: string;
  /** The kernel under test. */
  readonly kernel: string;
  /** Runs the check; throws on a mismatch. */
  run(): void;
}

/** Options of {@link conformanceCases}. */
export interface ConformanceOptions {
  /**
   * Random calls per kernel.
   * @defaultValue `12`
   */
  rounds?: number;
  /**
   * The backend whose kernels are the reference.
   * @defaultValue `'cpu'`, or `'composite'` when checking the CPU backend
   */
  reference?: string;
  /**
   * Argument draws for kernels the suite does not know (a layer package's,
   * by kernel name), added to `@strata/tensor`'s own.
   * @defaultValue `{}`
   */
  extraCases?: Readonly<Record<string, ArgumentDraw>>;
  /** Float tolerances. @defaultValue float32 atol 1e-5, rtol 1e-4; float64 atol 1e-12, rtol 1e-10 */
  tolerances?: Readonly<Record<'float32' | 'float64', Tolerance>>;
}

/**
 * A deep copy of an argument; tensors keep their layout, or become
 * contiguous with `contiguous`; a random generator gets a twin in the same
 * state, so the reference and the candidate draw the same numbers.
 */
function copyArgument(value: unknown, contiguous = false): unknown {
  if (value instanceof Tensor) return contiguous ? Tensor.fromData(value.toTypedArray(), value.shape) : cloneTensor(value);
  if (value instanceof Generator) {
    const twin = new Generator();
    twin.setState(value.getState());
    return twin;
  }
  if (Array.isArray(value)) return value.map((item) => copyArgument(item, contiguous));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyArgument(item, contiguous)]));
  }
  return value;
}

/** The reference of `kernel` for `backend`: `reference` when it registered one, else the registration below `backend`. */
function referenceOf(kernel: string, backend: string, reference: string): ((...args: unknown[]) => unknown) | null {
  const name = kernel as KernelName;
  if (backend !== reference) {
    const chosen = kernelOf(name, reference);
    if (chosen !== null) return chosen as (...args: unknown[]) => unknown;
  }
  const stack = kernelBackends(name);
  const below = stack[stack.indexOf(backend) - 1];
  if (below !== undefined) return kernelOf(name, below) as (...args: unknown[]) => unknown;
  // The CPU kernel is its own reference, on contiguous arguments.
  return backend === 'cpu' ? (kernelOf(name, 'cpu') as (...args: unknown[]) => unknown) : null;
}

/**
 * The conformance cases of `backend`: one per kernel it registers that the
 * suite can draw arguments for and that has a reference to compare with.
 * Run them with any test runner:
 *
 * @example
 * ```ts
 * import { conformanceCases } from '@strata/tensor/testing';
 * for (const check of conformanceCases('wasm')) it(check.name, () => check.run());
 * ```
 */
export function conformanceCases(backend: string, options: ConformanceOptions = {}): ConformanceCase[] {
  const rounds = options.rounds ?? 12;
  const reference = options.reference ?? (backend === 'cpu' ? 'composite' : 'cpu');
  const tolerances = options.tolerances ?? DEFAULT_TOLERANCES;
  const draws: Record<string, ArgumentDraw> = { ...CORE_CASES, ...options.extraCases };
  const cases: ConformanceCase[] = [];
  for (const kernel of listKernels()) {
    const candidate = kernelOf(kernel as KernelName, backend) as ((...args: unknown[]) => unknown) | null;
    const draw = draws[kernel];
    if (candidate === null || draw === undefined) continue;
    const expected = referenceOf(kernel, backend, reference);
    if (expected === null) continue;
    cases.push({
      name: `${kernel}: ${rounds} random calls against ${expected === candidate ? 'itself on contiguous copies' : 'the reference'}`,
      kernel,
      run: () => {
        for (let round = 0; round < rounds; round++) {
          const args = draw(new OperandSource(round * 7919 + kernel.length), round);
          const referenceArgs = args.map((value) => copyArgument(value, true));
          const candidateArgs = args.map((value) => copyArgument(value));
          const want = expected(...referenceArgs);
          const got = candidate(...candidateArgs);
          const path = `${backend} ${kernel}, round ${round}`;
          if (DECLINABLE.has(kernel)) {
            if (got === false) {
              // Declined: it must have written nothing.
              assertMatches(candidateArgs, args.map((value) => copyArgument(value)), `${path} (declined, arguments)`, tolerances);
              continue;
            }
            if (kernel === 'gemmAccelerated') {
              if (typeof got !== 'boolean') throw new Error(`${path}: expected a boolean, got ${String(got)}`);
              continue;
            }
          }
          assertMatches(got, want, `${path} result`, tolerances);
          assertMatches(candidateArgs, referenceArgs, `${path} ${IN_PLACE.has(kernel) ? 'written' : 'unchanged'} arguments`, tolerances);
        }
      },
    });
  }
  return cases;
}

/** Kernel names the suite has argument draws for (`@strata/tensor`'s own plus `extraCases`). */
export function coveredKernels(extraCases: Readonly<Record<string, ArgumentDraw>> = {}): string[] {
  return Object.keys({ ...CORE_CASES, ...extraCases }).sort();
}
