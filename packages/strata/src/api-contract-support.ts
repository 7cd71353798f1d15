/**
 * Helpers of the API.md contract tests (`api-*.test.ts`): comparing with
 * PyTorch's numbers, catching errors, snapshotting a module's state.
 */
import type { Module } from '@strata/module';
import type { Tensor } from '@strata/tensor';
import { expect } from 'vitest';

/** A nested array of numbers (or booleans), as `tolist()` gives and PyTorch prints. */
export type Nested = number | boolean | Nested[];

/** The numbers of a nested array, row-major. */
export function flat(values: Nested): number[] {
  if (!Array.isArray(values)) return [Number(values)];
  return values.flatMap(flat);
}

/** The shape of a (rectangular) nested array. */
export function shapeOf(values: Nested): number[] {
  return Array.isArray(values) ? [values.length, ...(values.length > 0 ? shapeOf(values[0]!) : [])] : [];
}

/** Shape equal, and every element within rtol 1e-4 / atol 1e-5 of `expected`. */
export function expectClose(actual: Tensor, expected: Nested, atol = 1e-5, rtol = 1e-4): void {
  expect(actual.shape).toEqual(shapeOf(expected));
  const got = Array.from(actual.toTypedArray(), Number);
  const want = flat(expected);
  const bad = got.findIndex((value, i) => !(Math.abs(value - want[i]!) <= atol + rtol * Math.abs(want[i]!)));
  expect(bad, `element ${bad}: got ${got[bad]}, expected ${want[bad]}`).toBe(-1);
}

/** Runs `fn`, which must throw; returns the error for further checks. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

/** A copy of every parameter and buffer of `module`, to compare after a throw. */
export function snapshot(module: Module): Record<string, number[]> {
  return Object.fromEntries(Object.entries(module.stateDict()).map(([key, value]) => [key, Array.from(value.toTypedArray(), Number)]));
}

