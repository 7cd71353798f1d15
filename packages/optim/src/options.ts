// Validation shared by the optimizers' and schedulers' option resolvers.
// Every message starts with the class that checks (`SGD: ...`), names the
// option, says what was expected and shows what came, in PyTorch's words
// where PyTorch has some ("invalid learning rate: -1").

import { checkOptionNames, describeValue } from '@strata/tensor';

/** How a value reads in an error message (one spelling for every package). */
export { describeValue } from '@strata/tensor';

/** Whether `value` is a plain options object (not null, an array or a class instance such as a Tensor). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Whether `value` can be spread into an array (strings excluded). */
export function isIterable(value: unknown): value is Iterable<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  return typeof Reflect.get(value, Symbol.iterator) === 'function';
}

/**
 * Checks an options object (or a parameter group, named by `what`): a plain
 * object whose keys are all `known` — a misspelled or snake_case option would
 * otherwise be ignored silently.
 * @throws TypeError when `options` is not a plain object.
 * @throws RangeError when it has a key outside `known`, as `checkOptionNames` of `@strata/tensor` words it.
 */
export function checkOptionKeys(owner: string, options: unknown, known: readonly string[], what = 'options'): Record<string, unknown> {
  if (!isPlainObject(options)) throw new TypeError(`${owner}: expected ${what} to be a plain object, got ${describeValue(options)}`);
  checkOptionNames(what === 'options' ? owner : `${owner} (${what})`, options, known);
  return options;
}

/**
 * A number `>= 0` (PyTorch's `not 0.0 <= value` checks), e.g. `label` =
 * `'learning rate'` gives `SGD: invalid learning rate: -1 (expected a number >= 0)`.
 * @throws TypeError for a non-number, RangeError for a negative number or NaN.
 */
export function checkNonNegative(owner: string, label: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${owner}: invalid ${label}: ${describeValue(value)} (expected a number >= 0)`);
  if (!(value >= 0)) throw new RangeError(`${owner}: invalid ${label}: ${value} (expected a number >= 0)`);
  return value;
}

/**
 * A number in `[low, high]` (or `[low, high)` when `openHigh`).
 * @throws TypeError for a non-number, RangeError outside the interval or NaN.
 */
export function checkInInterval(owner: string, label: string, value: unknown, low: number, high: number, openHigh = false): number {
  const expected = `expected ${low} <= value ${openHigh ? '<' : '<='} ${high}`;
  if (typeof value !== 'number') throw new TypeError(`${owner}: invalid ${label}: ${describeValue(value)} (${expected})`);
  if (!(value >= low && (openHigh ? value < high : value <= high))) {
    throw new RangeError(`${owner}: invalid ${label}: ${value} (${expected})`);
  }
  return value;
}

/**
 * Adam's `betas`: two numbers in `[0, 1)`. Returns a fresh array (so groups never share one).
 * @throws TypeError unless a pair of numbers, RangeError for a beta outside `[0, 1)`.
 */
export function checkBetas(owner: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new TypeError(`${owner}: invalid betas: ${describeValue(value)} (expected a pair [beta1, beta2])`);
  }
  const pair: unknown[] = value;
  const betas: number[] = [];
  for (let index = 0; index < 2; index++) {
    const beta = pair[index];
    const expected = 'expected 0 <= beta < 1';
    if (typeof beta !== 'number') {
      throw new TypeError(`${owner}: invalid beta parameter at index ${index}: ${describeValue(beta)} (${expected})`);
    }
    if (!(beta >= 0 && beta < 1)) throw new RangeError(`${owner}: invalid beta parameter at index ${index}: ${beta} (${expected})`);
    betas.push(beta);
  }
  return [betas[0]!, betas[1]!];
}

/** @throws TypeError unless `value` is a boolean. */
export function checkBoolean(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${owner}: invalid ${name}: ${describeValue(value)} (expected true or false)`);
  return value;
}

/** @throws TypeError for a non-number, RangeError unless a positive integer. */
export function checkPositiveInteger(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${owner}: expected a positive integer ${name}, got ${describeValue(value)}`);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${owner}: expected a positive integer ${name}, got ${value}`);
  return value;
}

/** @throws TypeError for a non-number, RangeError for NaN. */
export function checkNumber(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${owner}: invalid ${name}: ${describeValue(value)} (expected a number)`);
  if (Number.isNaN(value)) throw new RangeError(`${owner}: invalid ${name}: NaN (expected a number)`);
  return value;
}

/** @throws TypeError unless `value` is one of `choices`. */
export function checkChoice<Choice extends string>(owner: string, name: string, value: unknown, choices: readonly Choice[]): Choice {
  const match = choices.find((choice) => choice === value);
  if (match === undefined) {
    throw new TypeError(`${owner}: invalid ${name}: ${describeValue(value)} (expected one of ${choices.map((c) => `'${c}'`).join(', ')})`);
  }
  return match;
}
