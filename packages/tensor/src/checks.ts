/**
 * The checks and value descriptions every package's error messages share,
 * so that one kind of mistake reads the same wherever it is made:
 * `Dropout: expected input to be a Tensor, got undefined`,
 * `Conv2d: unknown option 'padding_mode' (expected stride, padding, ...)`.
 */
import { formatShape } from './errors.js';
import { Tensor } from './tensor.js';

/** How many characters of a string, and how many elements of an array, a message quotes. */
const QUOTED_STRING_LENGTH = 40;
const QUOTED_ARRAY_LENGTH = 8;

/**
 * What kind of value came where another was expected: `undefined`, `null`,
 * `number`, `string`, `boolean`, `function`, `an array`, `Tensor`, or an
 * object's class name (`Linear`, `object` for a plain object). Never the value
 * itself, so it stays short whatever came.
 *
 * @example
 * ```ts
 * describeKind([1, 2]); // 'an array'
 * describeKind(new Map()); // 'Map'
 * ```
 */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Tensor) return 'Tensor';
  if (typeof value === 'object') {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'object';
  }
  return typeof value;
}

/**
 * How a message quotes a value that has the wrong value (an option, a
 * scalar argument): numbers, booleans, `null` and `undefined` as written,
 * strings quoted (`'same'`), arrays element by element (`[1, 'same']`),
 * tensors by shape (`a Tensor of shape [3]`), anything else by
 * {@link describeKind}. Long strings and arrays are cut (`'aaaa…' (5000
 * characters)`, `[0, 0, …] (1000000 elements)`), so a hostile value cannot make
 * a huge message.
 *
 * @example
 * ```ts
 * describeValue([1, 'same']); // "[1, 'same']"
 * describeValue(new Array(100).fill(0)); // '[0, 0, 0, 0, 0, 0, 0, 0, …] (100 elements)'
 * ```
 */
export function describeValue(value: unknown): string {
  return describeNested(value, 0);
}

function describeNested(value: unknown, depth: number): string {
  if (typeof value === 'string') {
    return value.length <= QUOTED_STRING_LENGTH
      ? `'${value}'`
      : `'${value.slice(0, QUOTED_STRING_LENGTH)}…' (${value.length} characters)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Tensor) return `a Tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) {
    if (depth >= 2) return value.length === 0 ? '[]' : '[…]';
    const shown = value.slice(0, QUOTED_ARRAY_LENGTH).map((element: unknown) => describeNested(element, depth + 1));
    return value.length <= QUOTED_ARRAY_LENGTH
      ? `[${shown.join(', ')}]`
      : `[${shown.join(', ')}, …] (${value.length} elements)`;
  }
  return describeKind(value);
}

/**
 * The most elements one tensor may hold: kernels index storage with 32-bit
 * integers, and a typed array of more elements than this either cannot be
 * made or could not be addressed.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/**
 * Checks that a result of `shape` could be allocated, before any work is
 * done: options such as a huge stride or padding would otherwise end in the
 * engine's `Invalid typed array length`, naming nothing.
 *
 * @example
 * ```ts
 * checkElementCount('ConvTranspose2d', [1, 4, 2 ** 20, 2 ** 20]); // throws
 * ```
 * @throws RangeError `ConvTranspose2d: the output of shape [1, 4, 1048576, 1048576] would hold 4398046511104 elements, more than a tensor can (2147483647)`
 */
export function checkElementCount(owner: string, shape: readonly number[], what = 'the output'): void {
  let count = 1;
  for (const size of shape) count *= size;
  if (count > MAX_TENSOR_ELEMENTS) {
    throw new RangeError(
      `${owner}: ${what} of shape [${shape.join(', ')}] would hold ${count} elements, more than a tensor can (${MAX_TENSOR_ELEMENTS})`,
    );
  }
}

/**
 * Checks that an argument is a tensor.
 *
 * @param owner - the layer or op the message names (`'Dropout'`, `'conv2d'`).
 * @param argument - the argument's name (`'input'`, `'target'`).
 * @example
 * ```ts
 * checkTensor('Flatten', 'input', [1, 2]); // throws
 * ```
 * @throws TypeError `Flatten: expected input to be a Tensor, got an array`
 */
export function checkTensor(owner: string, argument: string, value: unknown): asserts value is Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${owner}: expected ${argument} to be a Tensor, got ${describeKind(value)}`);
}

/**
 * Checks an options object: `undefined` stands for all defaults; anything
 * else must be an object (not an array or a tensor) whose keys are all
 * `known`, as PyTorch rejects an unknown keyword argument — a misspelt or
 * snake_case option (`padding_idx`) would otherwise be ignored silently.
 *
 * @example
 * ```ts
 * checkOptionNames('Embedding', { padding_idx: 0 }, ['paddingIdx']); // throws
 * ```
 * @throws TypeError `Embedding: expected an options object, got number`
 * @throws RangeError `Embedding: unknown option 'padding_idx' (expected paddingIdx, maxNorm, normType, scaleGradByFreq, sparse)`
 */
export function checkOptionNames(owner: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options) || options instanceof Tensor) {
    throw new TypeError(`${owner}: expected an options object, got ${describeKind(options)}`);
  }
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const names = unknown.slice(0, QUOTED_ARRAY_LENGTH).map((key) => describeValue(key));
    if (unknown.length > QUOTED_ARRAY_LENGTH) names.push('…');
    throw new RangeError(`${owner}: unknown option ${names.join(', ')} (expected ${known.join(', ')})`);
  }
}
