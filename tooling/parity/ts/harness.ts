/**
 * Rebuilds a fixture case's inputs with Strata and calls the op, for the
 * forward parity test of `@strata/tensor` and the gradient parity test of
 * `@strata/autograd`. It reaches Strata only through the module namespace the
 * test passes in, so this folder depends on no package.
 */
import { type EncodedTensor, type InputSpec, type ParityCase, decodeNumber } from './fixtures.js';

/** The typed arrays behind Strata's dtypes. */
export type ParityTypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** The part of a Strata `Tensor` the harness reads. */
export interface ParityTensor {
  readonly shape: readonly number[];
  readonly dtype: string;
  grad: ParityTensor | null;
  toTypedArray(): ParityTypedArray;
  backward(gradient?: ParityTensor | null, options?: { retainGraph?: boolean }): void;
}

/** The part of `@strata/tensor`'s exports the harness needs by name; ops are looked up by their fixture name. */
export interface ParityApi {
  tensor(data: ParityTypedArray, options: { shape: readonly number[]; requiresGrad?: boolean }): ParityTensor;
}

/** Thrown when a fixture names an op that Strata exports neither as a function nor as a method. */
export class MissingOpError extends Error {
  constructor(op: string) {
    super(`@strata/tensor has no op '${op}' yet (neither an exported function nor a Tensor method)`);
    this.name = 'MissingOpError';
  }
}

/** A fixture tensor's data in the typed array of its dtype. */
export function typedArrayOf(encoded: EncodedTensor): ParityTypedArray {
  const values = encoded.data.map(decodeNumber);
  switch (encoded.dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
      return Uint8Array.from(values);
  }
}

/** A new contiguous Strata tensor holding a fixture tensor. */
export function buildTensor(api: ParityApi, encoded: EncodedTensor, requiresGrad = false): ParityTensor {
  return api.tensor(typedArrayOf(encoded), { shape: encoded.shape, requiresGrad });
}

function isTensor(value: unknown): value is ParityTensor {
  return typeof value === 'object' && value !== null && 'shape' in value && 'dtype' in value && 'toTypedArray' in value;
}

function callable(target: object, name: string): ((...args: unknown[]) => unknown) | null {
  const candidate: unknown = Reflect.get(target, name);
  return typeof candidate === 'function' ? (...args: unknown[]) => Reflect.apply(candidate, target, args) : null;
}

/** Calls the exported function `name`, or else the method `name` of the first argument. */
export function callByName(api: object, name: string, args: unknown[]): unknown {
  const fn = callable(api, name);
  if (fn !== null) return fn(...args);
  const [self, ...rest] = args;
  if (typeof self === 'object' && self !== null) {
    const method = callable(self, name);
    if (method !== null) return method(...rest);
  }
  throw new MissingOpError(name);
}

/** Calls the method `name` of the first argument (`x.add(y)`), for the method-form check. */
export function callMethod(name: string, args: unknown[]): unknown {
  const [self, ...rest] = args;
  const method = typeof self === 'object' && self !== null ? callable(self, name) : null;
  if (method === null) throw new MissingOpError(`Tensor.prototype.${name}`);
  return method(...rest);
}

/** An input's leaf (holding `.grad`) and the viewed tensor the op receives. */
export interface BuiltInput {
  leaf: ParityTensor;
  value: ParityTensor;
}

/** Builds the base as a leaf (requiring grad when asked and float) and applies its view ops. */
export function buildInput(api: ParityApi, spec: InputSpec, requiresGrad: boolean): BuiltInput {
  const isFloat = spec.dtype === 'float32' || spec.dtype === 'float64';
  const leaf = buildTensor(api, spec, requiresGrad && isFloat);
  let value = leaf;
  for (const [name, ...viewArgs] of spec.views) {
    const viewed = callByName(api, name, [value, ...viewArgs]);
    if (!isTensor(viewed)) throw new Error(`view op ${name} did not return a tensor`);
    value = viewed;
  }
  return { leaf, value };
}

function resolveValue(value: unknown, inputs: readonly BuiltInput[]): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, inputs));
  if (typeof value === 'object' && value !== null) {
    if ('$input' in value) return inputs[Number(value.$input)]!.value;
    if ('$number' in value) return decodeNumber(value.$number as 'NaN' | 'Infinity' | '-Infinity');
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveValue(item, inputs)]));
  }
  return value;
}

/** Strata's arguments of a case: inputs substituted, numbers decoded, top-level `null` (PyTorch's None) omitted. */
export function resolveArgs(args: readonly unknown[], inputs: readonly BuiltInput[]): unknown[] {
  return args.map((arg) => (arg === null ? undefined : resolveValue(arg, inputs)));
}

/** What running a case gave: the op's return value, and for in-place ops the clone it wrote. */
export interface CaseRun {
  result: unknown;
  target: ParityTensor | null;
}

/**
 * Runs a case's op. In-place ops write into a `clone` of their first argument
 * (a leaf that requires grad cannot be written in place).
 */
export function runCase(api: object, testCase: ParityCase, args: unknown[], form: 'function' | 'method' = 'function'): CaseRun {
  let callArgs = args;
  let target: ParityTensor | null = null;
  if (testCase.inPlace === true) {
    const clone = callByName(api, 'clone', [args[0]]);
    if (!isTensor(clone)) throw new Error('clone did not return a tensor');
    target = clone;
    callArgs = [clone, ...args.slice(1)];
  }
  const result = form === 'method' ? callMethod(testCase.op, callArgs) : callByName(api, testCase.op, callArgs);
  return { result, target };
}

/** The float output tensors of a result, in the order of the fixture's `upstream` list. */
export function floatOutputs(result: unknown): ParityTensor[] {
  const isFloat = (tensor: ParityTensor): boolean => tensor.dtype === 'float32' || tensor.dtype === 'float64';
  if (isTensor(result)) return isFloat(result) ? [result] : [];
  if (Array.isArray(result)) return result.filter(isTensor).filter(isFloat);
  if (typeof result === 'object' && result !== null) {
    return Object.values(result).filter(isTensor).filter(isFloat);
  }
  return [];
}

export { isTensor };

/** The error classes Strata raises for bad input (errors.ts and the built-in RangeError). */
export const STRATA_ERROR_NAMES: readonly string[] = ['ShapeError', 'DTypeError', 'RangeError'];

/** The error `run` throws, or `null` when it returns. */
export function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return null;
}

/** Ops without a method form to check: a list as first argument, or a first argument PyTorch's method doesn't take as self. */
const NO_METHOD_FORM = new Set(['cat', 'stack', 'where']);

/**
 * The case that checks the method form of `op` (`x.op(...rest)`): the first
 * one whose first argument is a tensor input and whose PyTorch call succeeded.
 */
export function methodFormCase(cases: readonly ParityCase[], op: string): ParityCase | null {
  if (NO_METHOD_FORM.has(op)) return null;
  return (
    cases.find((testCase) => {
      const first = testCase.args[0];
      return testCase.op === op && testCase.expected.kind !== 'error' && typeof first === 'object' && first !== null && '$input' in first;
    }) ?? null
  );
}
