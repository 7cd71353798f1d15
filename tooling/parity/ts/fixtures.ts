/**
 * The PyTorch parity fixtures written by `tooling/parity/generate.py`: their
 * JSON shape and a loader. The format is described in `tooling/parity/README.md`.
 */
import { readFileSync } from 'node:fs';

/** A float as the fixtures store it: a number, or a string for the values JSON lacks. */
export type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** The dtypes a fixture tensor can have (PyTorch's int64 is stored as int32). */
export type FixtureDType = 'float32' | 'float64' | 'int32' | 'bool';

/** A tensor as the fixtures store it: dtype, shape and row-major data. */
export interface EncodedTensor {
  dtype: FixtureDType;
  shape: number[];
  data: (EncodedNumber | boolean)[];
}

/**
 * One view op applied to an input's base, as `[name, ...arguments]` with
 * Strata's argument order: `['transpose', 0, 1]`, `['permute', [2, 0, 1]]`,
 * `['slice', dim, start, end, step]`, `['select', dim, index]`,
 * `['narrow', dim, start, length]`, `['expand', shape]`, `['unsqueeze', dim]`,
 * `['squeeze', dim]`, `['view', shape]`, `['t']`.
 */
export type ViewOp = [string, ...(number | number[])[]];

/** A tensor input: the base (a leaf) and the view ops that make the tensor the op gets. */
export interface InputSpec extends EncodedTensor {
  views: ViewOp[];
}

/** What the op returns, per kind. `error`: PyTorch raised (its message is kept for the report). */
export type ExpectedOutput =
  | { kind: 'tensor'; value: EncodedTensor }
  | { kind: 'list'; value: EncodedTensor[] }
  | { kind: 'record'; value: Record<string, EncodedTensor> }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'error'; value: string };

/** One parity case: an op call, PyTorch's result and, when differentiable, its gradients. */
export interface ParityCase {
  /** `op/description`, unique in its family. */
  name: string;
  /** The Strata function (and Tensor method) name. */
  op: string;
  /** The op writes into a clone of its first argument, which is the result. */
  inPlace?: boolean;
  inputs: InputSpec[];
  /**
   * Strata's positional arguments. `{"$input": i}` stands for input `i`,
   * `{"$number": "Infinity"}` for a non-finite number, a top-level `null` for
   * an omitted argument.
   */
  args: unknown[];
  expected: ExpectedOutput;
  /** One upstream gradient per float output tensor (list items, record fields in order). */
  upstream?: EncodedTensor[];
  /** The gradient of each input's base; `null` for non-float inputs or inputs PyTorch reports unused. */
  grads?: (EncodedTensor | null)[];
}

/** A fixture file: one family of ops. */
export interface ParityFixture {
  family: string;
  generator: string;
  torch: string;
  tolerance: { float32: { rtol: number; atol: number } };
  cases: ParityCase[];
}

/** The families, one fixture file each (`ops-<family>.json`). */
export const PARITY_FAMILIES = [
  'elementwise',
  'comparison',
  'reduction',
  'activation',
  'matmul',
  'join',
  'indexing',
  'in-place',
  'print',
  'views',
] as const;

/** A family name. */
export type ParityFamily = (typeof PARITY_FAMILIES)[number];

const fixturesFolder = new URL('../../../packages/tensor/src/__fixtures__/', import.meta.url);

/** Reads `packages/tensor/src/__fixtures__/ops-<family>.json`. */
export function loadFixture(family: ParityFamily): ParityFixture {
  const text = readFileSync(new URL(`ops-${family}.json`, fixturesFolder), 'utf8');
  return JSON.parse(text) as ParityFixture;
}

/** The number a fixture stores, with the strings for NaN and the infinities decoded. */
export function decodeNumber(value: EncodedNumber | boolean): number {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}
