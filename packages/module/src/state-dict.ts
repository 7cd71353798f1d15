import { describeKind, formatShape, ShapeError, shapesEqual, Tensor } from '@strata/tensor';
import { localState } from './local-state.js';
import type { Module } from './module.js';
import { setEntry } from './values.js';
import { withoutGrad } from './tensor-write.js';

/** Options of `Module.stateDict`. */
export interface StateDictOptions {
  /**
   * A prefix added to every key.
   * @defaultValue `''`
   */
  prefix?: string;
  /**
   * Return the parameters and buffers themselves instead of detached tensors
   * that share their storage.
   * @defaultValue `false`
   */
  keepVars?: boolean;
}

/** Options of `Module.loadStateDict`. */
export interface LoadStateDictOptions {
  /**
   * Require the keys to match `stateDict()`'s exactly: missing or unexpected
   * keys throw (and nothing is copied).
   * @defaultValue `true`
   */
  strict?: boolean;
}

/** What `Module.loadStateDict` returns, as PyTorch's `_IncompatibleKeys`. */
export interface LoadStateDictResult {
  /** Keys of the module's state that the dict lacks (left unchanged). */
  missingKeys: string[];
  /** Keys of the dict that the module has no place for (ignored). */
  unexpectedKeys: string[];
}

/** The state dict of `module`: see `Module.stateDict`. */
export function stateDict(module: Module, options: StateDictOptions = {}): Record<string, Tensor> {
  const result: Record<string, Tensor> = {};
  const keepVars = options.keepVars ?? false;
  const visit = (current: Module, prefix: string): void => {
    const state = current[localState]();
    for (const [name, parameter] of state.parameters) {
      if (parameter !== null) setEntry(result, prefix + name, keepVars ? parameter : parameter.detach());
    }
    for (const [name, buffer] of state.buffers) {
      if (buffer !== null && !state.nonPersistentBuffers.has(name)) setEntry(result, prefix + name, keepVars ? buffer : buffer.detach());
    }
    for (const [name, child] of state.modules) {
      if (child !== null) visit(child, `${prefix}${name}.`);
    }
  };
  visit(module, options.prefix ?? '');
  return result;
}

/**
 * Loads `state` into `module`: see `Module.loadStateDict`. Follows PyTorch's
 * `load_state_dict` key by key (including which keys count as unexpected),
 * but checks everything before copying anything.
 */
export function loadStateDict(
  module: Module,
  state: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>,
  options: LoadStateDictOptions = {},
): LoadStateDictResult {
  const strict = options.strict ?? true;
  const entries = stateEntries(state);
  const missingKeys: string[] = [];
  const unexpectedKeys: string[] = [];
  const shapeErrors: string[] = [];
  const typeErrors: string[] = [];
  const copies: [target: Tensor, source: Tensor][] = [];

  const visit = (current: Module, keys: readonly string[], prefix: string): void => {
    const local = current[localState]();
    const localTensors = new Map<string, Tensor>();
    for (const [name, parameter] of local.parameters) if (parameter !== null) localTensors.set(name, parameter);
    for (const [name, buffer] of local.buffers) {
      if (buffer !== null && !local.nonPersistentBuffers.has(name)) localTensors.set(name, buffer);
    }
    for (const [name, target] of localTensors) {
      const key = prefix + name;
      if (!entries.has(key)) {
        missingKeys.push(key);
        continue;
      }
      const value = entries.get(key);
      if (!(value instanceof Tensor)) {
        typeErrors.push(`While copying the parameter named "${key}", expected a Tensor from checkpoint but received ${describeKind(value)}`);
        continue;
      }
      // PyTorch loads a one-element 1-d tensor into a 0-d one (checkpoints from PyTorch 0.3).
      const source = target.shape.length === 0 && value.shape.length === 1 && value.shape[0] === 1 ? value.reshape([]) : value;
      if (!shapesEqual(source.shape, target.shape)) {
        shapeErrors.push(
          `size mismatch for ${key}: copying a param with shape ${formatShape(value.shape)} from checkpoint, the shape in current model is ${formatShape(target.shape)}.`,
        );
        continue;
      }
      copies.push([target, source]);
    }
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue;
      const name = key.slice(prefix.length).split('.', 1)[0]!;
      if (!local.modules.has(name) && !localTensors.has(name)) unexpectedKeys.push(key);
    }
    for (const [name, child] of local.modules) {
      if (child === null) continue;
      const childPrefix = `${prefix}${name}.`;
      visit(
        child,
        keys.filter((key) => key.startsWith(childPrefix)),
        childPrefix,
      );
    }
  };
  visit(module, [...entries.keys()], '');

  const messages: string[] = [];
  if (strict && missingKeys.length > 0) messages.push(`Missing key(s) in state_dict: ${quoteKeys(missingKeys)}.`);
  if (strict && unexpectedKeys.length > 0) messages.push(`Unexpected key(s) in state_dict: ${quoteKeys(unexpectedKeys)}.`);
  messages.push(...typeErrors, ...shapeErrors);
  if (messages.length > 0) {
    const message = `loadStateDict: Error(s) in loading state_dict for ${module.getName()}:\n\t${messages.join('\n\t')}`;
    if (shapeErrors.length > 0) throw new ShapeError(message);
    if (typeErrors.length > 0) throw new TypeError(message);
    throw new Error(message);
  }
  withoutGrad(() => {
    for (const [target, source] of copies) target.copy_(source);
  });
  return { missingKeys, unexpectedKeys };
}

function stateEntries(state: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>): Map<string, unknown> {
  if (state instanceof Map) return new Map<string, unknown>(state);
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new TypeError(`loadStateDict: expected a state dict (a record or Map of tensors), got ${describeKind(state)}`);
  }
  return new Map<string, unknown>(Object.entries(state));
}

function quoteKeys(keys: readonly string[]): string {
  return keys.map((key) => `"${key}"`).join(', ');
}
