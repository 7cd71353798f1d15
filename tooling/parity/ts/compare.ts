/**
 * Comparison of Strata results with PyTorch's: dtype and shape exactly,
 * float values within the fixture's tolerance (NaN matches NaN, infinities
 * match exactly), integers and booleans exactly.
 */
import { expect } from 'vitest';
import { type EncodedTensor, type ExpectedOutput, decodeNumber } from './fixtures.js';
import { type ParityTensor, isTensor } from './harness.js';

/** Relative and absolute tolerance for float values. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

const SHOWN_MISMATCHES = 6;

function formatIndex(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  return `[${index.join(', ')}]`;
}

/**
 * The differences between a Strata tensor and a fixture tensor, as readable
 * lines (empty when they match).
 */
export function tensorMismatches(actual: unknown, expected: EncodedTensor, tolerance: Tolerance): string[] {
  if (!isTensor(actual)) return [`expected a tensor, got ${describe(actual)}`];
  if (actual.dtype !== expected.dtype) return [`dtype: got ${actual.dtype}, expected ${expected.dtype}`];
  if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) {
    return [`shape: got [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]`];
  }
  const values = actual.toTypedArray();
  const exact = expected.dtype === 'int32' || expected.dtype === 'bool';
  const problems: string[] = [];
  let count = 0;
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const want = decodeNumber(expected.data[i]!);
    const got = values[i]!;
    let ok: boolean;
    if (exact || !Number.isFinite(want)) {
      ok = Number.isNaN(want) ? Number.isNaN(got) : got === want;
    } else {
      const difference = Math.abs(got - want);
      ok = difference <= tolerance.atol + tolerance.rtol * Math.abs(want);
      if (!ok && Number.isFinite(difference)) worst = Math.max(worst, difference);
    }
    if (!ok) {
      count++;
      if (problems.length < SHOWN_MISMATCHES) {
        problems.push(`${formatIndex(i, expected.shape)}: got ${got}, expected ${want}`);
      }
    }
  }
  if (count > 0) {
    const summary = exact
      ? `${count} of ${expected.data.length} elements differ`
      : `${count} of ${expected.data.length} elements outside rtol ${tolerance.rtol}, atol ${tolerance.atol}` +
        (worst > 0 ? ` (largest finite |difference| ${worst})` : ' (NaN or infinity where PyTorch differs)');
    problems.unshift(summary);
  }
  return problems;
}

function describe(value: unknown): string {
  if (isTensor(value)) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' ? `an object ${value === null ? 'null' : `with keys ${Object.keys(value).join(', ')}`}` : String(value);
}

/** The differences between an op's return value and PyTorch's (not for `error` cases). */
export function outputMismatches(actual: unknown, expected: ExpectedOutput, tolerance: Tolerance): string[] {
  switch (expected.kind) {
    case 'tensor':
      return tensorMismatches(actual, expected.value, tolerance);
    case 'list': {
      if (!Array.isArray(actual)) return [`expected an array of ${expected.value.length} tensors, got ${describe(actual)}`];
      if (actual.length !== expected.value.length) return [`expected ${expected.value.length} tensors, got ${actual.length}`];
      return expected.value.flatMap((item, i) => tensorMismatches(actual[i], item, tolerance).map((line) => `item ${i}: ${line}`));
    }
    case 'record': {
      if (typeof actual !== 'object' || actual === null) return [`expected an object, got ${describe(actual)}`];
      return Object.entries(expected.value).flatMap(([key, item]) =>
        tensorMismatches(Reflect.get(actual, key), item, tolerance).map((line) => `${key}: ${line}`),
      );
    }
    case 'boolean':
    case 'string':
      return actual === expected.value ? [] : [`got ${describe(actual)}, expected ${JSON.stringify(expected.value)}`];
    case 'error':
      return ['an error case has no output to compare'];
  }
}

/** Asserts that a Strata tensor matches a fixture tensor; `label` says which value of which case. */
export function expectTensorMatches(actual: ParityTensor | null, expected: EncodedTensor, tolerance: Tolerance, label: string): void {
  expect(tensorMismatches(actual, expected, tolerance), label).toEqual([]);
}

/** Asserts that an op's return value matches PyTorch's. */
export function expectOutputMatches(actual: unknown, expected: ExpectedOutput, tolerance: Tolerance, label: string): void {
  expect(outputMismatches(actual, expected, tolerance), label).toEqual([]);
}

/** Whether every element of a tensor is zero (an unused input may get a zero gradient instead of none). */
export function isAllZero(tensor: ParityTensor): boolean {
  return tensor.toTypedArray().every((value) => value === 0);
}
