import { Tensor } from '@strata/tensor';

/**
 * A value a checkpoint can hold: the shape of optimizer and scheduler state
 * dicts (numbers, strings, booleans, null, tensors, arrays and plain objects).
 */
export type StateValue = number | string | boolean | null | Tensor | readonly StateValue[] | { readonly [key: string]: StateValue };

/** JSON with tensors replaced by references to safetensors entries. */
type Json = number | string | boolean | null | Json[] | { [key: string]: Json };

const TENSOR_MARKER = '$tensor';
const NUMBER_MARKER = '$number';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Splits a state value into JSON (for the safetensors metadata) and tensors
 * (for the safetensors body, under keys that start with `prefix`). Numbers
 * round-trip exactly: JSON's shortest decimal form of a double parses back
 * to the same double, and the values JSON lacks (NaN, ±Infinity, -0) are
 * written as markers.
 *
 * @throws TypeError naming the path of a value that cannot be stored (a function, a Map, a class instance).
 */
export function encodeState(value: unknown, prefix: string, tensors: Record<string, Tensor>): Json {
  if (value instanceof Tensor) {
    let key = prefix;
    for (let suffix = 1; key in tensors; suffix++) key = `${prefix}~${suffix}`;
    tensors[key] = value.detach();
    return { [TENSOR_MARKER]: key };
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value) || !Number.isFinite(value) || Object.is(value, -0)) return { [NUMBER_MARKER]: Object.is(value, -0) ? '-0' : String(value) };
    return value;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map((item, index) => encodeState(item, `${prefix}.${index}`, tensors));
  if (isPlainObject(value)) {
    const result: Record<string, Json> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      // Keys that start with '$' are escaped with one more, so they never read as markers.
      result[key.startsWith('$') ? `$${key}` : key] = encodeState(item, `${prefix}.${key}`, tensors);
    }
    return result;
  }
  const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new TypeError(`checkpoint: cannot store the ${kind} at '${prefix}' (expected numbers, strings, booleans, null, tensors, arrays and plain objects)`);
}

/**
 * The inverse of {@link encodeState}: JSON from the metadata with its tensor
 * references resolved from the safetensors entries.
 * @throws Error when a referenced tensor is missing.
 */
export function decodeState(json: unknown, tensors: Readonly<Record<string, Tensor>>): StateValue {
  if (Array.isArray(json)) return json.map((item) => decodeState(item, tensors));
  if (json !== null && typeof json === 'object') {
    const entries = Object.entries(json as Record<string, unknown>);
    if (entries.length === 1 && entries[0]![0] === TENSOR_MARKER) {
      const key = String(entries[0]![1]);
      const tensor = tensors[key];
      if (tensor === undefined) throw new Error(`checkpoint: the tensor '${key}' the state refers to is missing from the file`);
      return tensor;
    }
    if (entries.length === 1 && entries[0]![0] === NUMBER_MARKER) return entries[0]![1] === '-0' ? -0 : Number(entries[0]![1]);
    const result: Record<string, StateValue> = {};
    for (const [key, item] of entries) result[key.startsWith('$$') ? key.slice(1) : key] = decodeState(item, tensors);
    return result;
  }
  return json as StateValue;
}
