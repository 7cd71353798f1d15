import { describeKind } from '@strata/tensor';
import type { Tensor } from '@strata/tensor';
import { localState } from './local-state.js';
import { Module } from './module.js';

/** The registered (non-null) children in order, duplicates kept, as PyTorch's `_modules.values()`. */
function childList(container: Module): Module[] {
  const result: Module[] = [];
  for (const module of container[localState]().modules.values()) if (module !== null) result.push(module);
  return result;
}

/** Python's list index: negative counts from the end. */
function resolveIndex(index: number, length: number, owner: string): number {
  if (!Number.isInteger(index) || index < -length || index >= length) {
    throw new RangeError(`${owner}: index ${index} is out of range for ${length} modules`);
  }
  return index < 0 ? index + length : index;
}

function checkModule(module: unknown, owner: string): asserts module is Module {
  if (!(module instanceof Module)) throw new TypeError(`${owner}: expected a Module, got ${describeKind(module)}`);
}

/** Renumbers the children `0 .. n-1` after one was removed, as PyTorch's `__delitem__`. */
function renumber(container: Module, modules: readonly Module[]): void {
  for (const name of [...container[localState]().modules.keys()]) Reflect.deleteProperty(container, name);
  modules.forEach((module, i) => container.registerModule(String(i), module));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** PyTorch's `insert`: shifts the modules from `index` on by one. */
function insertAt(container: Module, index: number, module: Module, owner: string): void {
  checkModule(module, `${owner}.insert`);
  const length = container[localState]().modules.size;
  if (!Number.isInteger(index) || index < -length || index > length) {
    throw new RangeError(`${owner}.insert: index ${index} is out of range for ${length} modules`);
  }
  const position = index < 0 ? index + length : index;
  const modules = container[localState]().modules;
  for (let i = length; i > position; i--) container.registerModule(String(i), modules.get(String(i - 1)) ?? null);
  container.registerModule(String(position), module);
}

/**
 * Modules applied one after another, like `torch.nn.Sequential`: `forward`
 * passes its input through each child in order. The children are named
 * `'0'`, `'1'`, ... or by the keys of a record or Map.
 *
 * @example
 * ```ts
 * const net = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
 * net.at(0);                     // the first Linear
 * net.stateDict();               // keys '0.weight', '0.bias', '2.weight', '2.bias'
 * const named = new Sequential({ encoder: new Linear(4, 2), activation: new ReLU() });
 * ```
 */
export class Sequential extends Module {
  constructor(...modules: Module[]);
  constructor(modules: Readonly<Record<string, Module>> | ReadonlyMap<string, Module>);
  constructor(...modules: Module[] | [Readonly<Record<string, Module>> | ReadonlyMap<string, Module>]) {
    super();
    const [first] = modules;
    if (modules.length === 1 && (first instanceof Map || isPlainObject(first))) {
      const entries = first instanceof Map ? [...first.entries()] : Object.entries(first);
      for (const [name, module] of entries) {
        checkModule(module, 'Sequential');
        this.registerModule(name, module);
      }
    } else {
      modules.forEach((module, i) => {
        checkModule(module, 'Sequential');
        this.registerModule(String(i), module);
      });
    }
  }

  /** Passes `input` through every child in order. */
  forward(input: Tensor): Tensor {
    let output = input;
    for (const module of childList(this)) output = module.forward(output);
    return output;
  }

  /** The number of children. */
  get length(): number {
    return childList(this).length;
  }

  /**
   * The child at `index` (negative counts from the end).
   * @throws RangeError when the index is out of range.
   */
  at(index: number): Module {
    const modules = childList(this);
    return modules[resolveIndex(index, modules.length, 'Sequential.at')]!;
  }

  /**
   * Adds `module` at the end, named by its index. Returns this container.
   * @throws TypeError when `module` is not a Module.
   */
  append(module: Module): this {
    checkModule(module, 'Sequential.append');
    this.registerModule(String(this.length), module);
    return this;
  }

  /**
   * Appends every module of `modules`. Returns this container.
   * @throws TypeError when an element is not a Module.
   */
  extend(modules: Iterable<Module>): this {
    for (const module of modules) this.append(module);
    return this;
  }

  /**
   * Inserts `module` before `index`, renaming the later children `'i+1'`
   * (for index-named children, as PyTorch). Returns this container.
   * @throws TypeError when `module` is not a Module.
   * @throws RangeError when the index is outside `[-length, length]`.
   */
  insert(index: number, module: Module): this {
    insertAt(this, index, module, 'Sequential');
    return this;
  }

  /**
   * Removes and returns the child at `index`; the rest are renumbered `0 .. n-2`.
   * @throws RangeError when the index is out of range.
   */
  pop(index = -1): Module {
    const modules = childList(this);
    const [removed] = modules.splice(resolveIndex(index, modules.length, 'Sequential.pop'), 1);
    renumber(this, modules);
    return removed!;
  }

  /** The children in order. */
  [Symbol.iterator](): Iterator<Module> {
    return childList(this)[Symbol.iterator]();
  }
}

/**
 * A list of submodules, like `torch.nn.ModuleList`: its modules are
 * registered (named `'0'`, `'1'`, ...) so their parameters belong to the
 * owner; it has no `forward` of its own.
 *
 * @example
 * ```ts
 * class Stack extends Module {
 *   layers = new ModuleList([new Linear(8, 8), new Linear(8, 8)]);
 *   forward(x: Tensor): Tensor {
 *     for (const layer of this.layers) x = layer.forward(x);
 *     return x;
 *   }
 * }
 * ```
 */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /**
   * A ModuleList has no forward; iterate over it instead.
   * @throws Error always.
   */
  forward(): never {
    throw new Error('ModuleList: a ModuleList has no forward(); iterate over its modules and call them');
  }

  /** The number of modules. */
  get length(): number {
    return childList(this).length;
  }

  /**
   * The module at `index` (negative counts from the end).
   * @throws RangeError when the index is out of range.
   */
  at(index: number): Module {
    const modules = childList(this);
    return modules[resolveIndex(index, modules.length, 'ModuleList.at')]!;
  }

  /**
   * Replaces the module at `index`.
   * @throws TypeError when `module` is not a Module.
   * @throws RangeError when the index is out of range.
   */
  set(index: number, module: Module): this {
    checkModule(module, 'ModuleList.set');
    this.registerModule(String(resolveIndex(index, this.length, 'ModuleList.set')), module);
    return this;
  }

  /**
   * Adds `module` at the end. Returns this list.
   * @throws TypeError when `module` is not a Module.
   */
  append(module: Module): this {
    checkModule(module, 'ModuleList.append');
    this.registerModule(String(this.length), module);
    return this;
  }

  /**
   * Appends every module of `modules`. Returns this list.
   * @throws TypeError when `modules` is not iterable or holds a non-Module.
   */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Partial<Iterable<Module>>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ModuleList.extend: expected an iterable of modules, got ${describeKind(modules)}`);
    }
    for (const module of modules) this.append(module);
    return this;
  }

  /**
   * Inserts `module` before `index`, shifting the later modules by one.
   * @throws TypeError when `module` is not a Module.
   * @throws RangeError when the index is outside `[-length, length]`.
   */
  insert(index: number, module: Module): this {
    insertAt(this, index, module, 'ModuleList');
    return this;
  }

  /**
   * Removes and returns the module at `index` (default: the last); the rest
   * are renumbered.
   * @throws RangeError when the index is out of range.
   */
  pop(index = -1): Module {
    const modules = childList(this);
    const [removed] = modules.splice(resolveIndex(index, modules.length, 'ModuleList.pop'), 1);
    renumber(this, modules);
    return removed!;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return childList(this)[Symbol.iterator]();
  }
}

/**
 * Submodules by name, in insertion order, like `torch.nn.ModuleDict`, with
 * a Map's methods. Like PyTorch, a key may not be one of the module's own
 * attributes (`'forward'`, `'keys'`, ...).
 *
 * @example
 * ```ts
 * const heads = new ModuleDict({ classify: new Linear(16, 10), regress: new Linear(16, 1) });
 * heads.get('classify');
 * ```
 */
export class ModuleDict extends Module {
  constructor(modules: Readonly<Record<string, Module>> | ReadonlyMap<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  /**
   * A ModuleDict has no forward; pick a module with `get` instead.
   * @throws Error always.
   */
  forward(): never {
    throw new Error('ModuleDict: a ModuleDict has no forward(); get a module by key and call it');
  }

  /** The number of modules. */
  get size(): number {
    return this.keys().length;
  }

  /**
   * The module under `key`.
   * @throws RangeError when there is none.
   */
  get(key: string): Module {
    const module = this[localState]().modules.get(key);
    if (module === undefined || module === null) {
      throw new RangeError(`ModuleDict.get: no module under key '${key}' (keys: ${this.keys().map((name) => `'${name}'`).join(', ')})`);
    }
    return module;
  }

  /**
   * Adds or replaces the module under `key`. Returns this dict.
   * @throws TypeError when `module` is not a Module.
   * @throws Error when `key` is empty, contains a dot or names another attribute.
   */
  set(key: string, module: Module): this {
    checkModule(module, 'ModuleDict.set');
    this.registerModule(key, module);
    return this;
  }

  /** Whether a module is stored under `key`. */
  has(key: string): boolean {
    const module = this[localState]().modules.get(key);
    return module !== undefined && module !== null;
  }

  /** Removes the module under `key`; returns whether there was one. */
  delete(key: string): boolean {
    if (!this.has(key)) return false;
    Reflect.deleteProperty(this, key);
    return true;
  }

  /** Removes every module. */
  clear(): void {
    for (const key of this.keys()) Reflect.deleteProperty(this, key);
  }

  /**
   * Adds or replaces the modules of a record, Map or list of pairs, in order.
   * @throws as {@link ModuleDict.set}.
   */
  update(modules: Readonly<Record<string, Module>> | ReadonlyMap<string, Module> | Iterable<[string, Module]>): this {
    const entries: Iterable<[string, Module]> =
      modules instanceof Map || Symbol.iterator in Object(modules)
        ? (modules as Iterable<[string, Module]>)
        : Object.entries(modules as Readonly<Record<string, Module>>);
    for (const [key, module] of entries) this.set(key, module);
    return this;
  }

  /** The keys in insertion order. */
  keys(): string[] {
    return this.entries().map(([key]) => key);
  }

  /** The modules in insertion order. */
  values(): Module[] {
    return this.entries().map(([, module]) => module);
  }

  /** The `[key, module]` pairs in insertion order. */
  entries(): [string, Module][] {
    const result: [string, Module][] = [];
    for (const [key, module] of this[localState]().modules) if (module !== null) result.push([key, module]);
    return result;
  }

  /** The `[key, module]` pairs, like a Map. */
  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.entries()[Symbol.iterator]();
  }
}
