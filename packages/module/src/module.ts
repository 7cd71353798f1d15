import { describeKind, type DType, DTypeError, isFloatingPoint, Tensor } from '@strata/tensor';
import { type LocalState, localState } from './local-state.js';
import type { NumParametersOptions, RegisterBufferOptions, ZeroGradOptions } from './module-options.js';
import * as paths from './module-paths.js';
import { formatModule } from './module-print.js';
import { Parameter } from './parameter.js';
import { type LoadStateDictOptions, type LoadStateDictResult, type StateDictOptions, loadStateDict, stateDict } from './state-dict.js';
import { withoutGrad } from './tensor-write.js';

interface Registry {
  parameters: Map<string, Parameter | null>;
  buffers: Map<string, Tensor | null>;
  nonPersistentBuffers: Set<string>;
  modules: Map<string, Module | null>;
}

/**
 * The base class of every layer and model, like `torch.nn.Module`.
 *
 * Parameters, buffers and submodules are found by name. A field holding a
 * {@link Parameter} is a parameter and a field holding a `Module` is a
 * submodule, in the order the fields were first defined (the order of
 * assignment in the constructor, as PyTorch's attribute order; a class field
 * declared without initializer is defined, and so ordered, where it is
 * declared). `registerParameter`, `registerBuffer` and `registerModule` do the
 * same explicitly, and are the only way to add a buffer or a `null` slot.
 *
 * @example
 * ```ts
 * class Affine extends Module {
 *   weight = new Parameter(randn([4, 3]));
 *   bias = new Parameter(zeros([4]));
 *   forward(x: Tensor): Tensor {
 *     return matmul(x, this.weight.t()).add(this.bias);
 *   }
 * }
 * new Affine().stateDict(); // { weight: [4, 3], bias: [4] }
 * ```
 */
export abstract class Module {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;
  private declare readonly registry: Registry;

  constructor() {
    // Not enumerable, so it stays out of the field walk and of printouts.
    Object.defineProperty(this, 'registry', {
      value: { parameters: new Map(), buffers: new Map(), nonPersistentBuffers: new Set(), modules: new Map() },
      enumerable: false,
    });
  }

  /**
   * The computation of the module. Each module declares its own signature,
   * as in PyTorch; containers pass one value through their children.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each subclass narrows it, as PyTorch's forward(*input)
  abstract forward(...inputs: any[]): any;

  // ---- registration ----

  /**
   * Adds a parameter (or a `null` slot, left out of `stateDict()`), reachable
   * as the field `name`.
   * @throws TypeError when `parameter` is neither a Parameter nor null.
   * @throws Error when the name is empty, contains a dot or names another attribute.
   */
  registerParameter(name: string, parameter: Parameter | null): void {
    this.checkName(name, 'registerParameter', 'parameter');
    if (parameter !== null && !(parameter instanceof Parameter)) {
      throw new TypeError(`registerParameter: cannot assign ${describeKind(parameter)} to parameter '${name}' (Parameter or null required)`);
    }
    this.checkAttribute(name, 'registerParameter', this.registry.parameters);
    this.registry.parameters.set(name, parameter);
    this.defineField(name, parameter);
  }

  /**
   * Adds a buffer: state that is not a parameter, like BatchNorm's running
   * mean. Persistent buffers (the default) are part of `stateDict()`.
   * @throws TypeError when `buffer` is neither a Tensor nor null.
   * @throws Error when the name is empty, contains a dot or names another attribute.
   */
  registerBuffer(name: string, buffer: Tensor | null, options: RegisterBufferOptions = {}): void {
    this.checkName(name, 'registerBuffer', 'buffer');
    if (buffer !== null && !(buffer instanceof Tensor)) {
      throw new TypeError(`registerBuffer: cannot assign ${describeKind(buffer)} to buffer '${name}' (Tensor or null required)`);
    }
    if (buffer instanceof Parameter) {
      throw new TypeError(`registerBuffer: cannot assign a Parameter to buffer '${name}' (use registerParameter)`);
    }
    this.checkAttribute(name, 'registerBuffer', this.registry.buffers);
    this.registry.buffers.set(name, buffer);
    if (options.persistent === false) this.registry.nonPersistentBuffers.add(name);
    else this.registry.nonPersistentBuffers.delete(name);
    this.defineField(name, buffer);
  }

  /**
   * Adds a submodule (or a `null` slot), reachable as the field `name`.
   * @throws TypeError when `module` is neither a Module nor null.
   * @throws Error when the name is empty, contains a dot or names another attribute.
   */
  registerModule(name: string, module: Module | null): void {
    this.checkName(name, 'registerModule', 'module');
    if (module !== null && !(module instanceof Module)) {
      throw new TypeError(`registerModule: ${describeKind(module)} is not a Module subclass (registering '${name}')`);
    }
    this.checkAttribute(name, 'registerModule', this.registry.modules);
    this.registry.modules.set(name, module);
    this.defineField(name, module);
  }

  private checkName(name: string, method: string, kind: string): void {
    if (typeof name !== 'string') throw new TypeError(`${method}: ${kind} name should be a string, got ${describeKind(name)}`);
    if (name === '') throw new Error(`${method}: ${kind} name can't be empty string ""`);
    if (name.includes('.')) throw new Error(`${method}: ${kind} name can't contain ".", got "${name}"`);
  }

  /** PyTorch's "attribute already exists": the name is taken by something of another kind. */
  private checkAttribute(name: string, method: string, sameKind: ReadonlyMap<string, unknown>): void {
    this.discoverFields();
    if (!(name in this) || sameKind.has(name)) return;
    if (Object.hasOwn(this, name) && (this as Record<string, unknown>)[name] === undefined) return;
    throw new Error(`${method}: attribute '${name}' already exists`);
  }

  private defineField(name: string, value: unknown): void {
    Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
  }

  /**
   * Brings the registry up to date with the fields: newly assigned Parameter
   * and Module fields join it in definition order, reassigned ones update it,
   * deleted ones leave it (PyTorch does this in `__setattr__`/`__delattr__`).
   */
  private discoverFields(): void {
    const { parameters, buffers, nonPersistentBuffers, modules } = this.registry;
    for (const map of [parameters, buffers, modules] as Map<string, unknown>[]) {
      for (const name of map.keys()) {
        if (!Object.hasOwn(this, name)) {
          map.delete(name);
          nonPersistentBuffers.delete(name);
        }
      }
    }
    const fields = this as Record<string, unknown>;
    for (const name of Object.keys(this)) {
      const value = fields[name];
      if (value instanceof Parameter) {
        if (!parameters.has(name)) {
          buffers.delete(name);
          nonPersistentBuffers.delete(name);
          modules.delete(name);
        }
        parameters.set(name, value);
      } else if (value instanceof Module) {
        if (!modules.has(name)) {
          parameters.delete(name);
          buffers.delete(name);
          nonPersistentBuffers.delete(name);
        }
        modules.set(name, value);
      } else if (parameters.has(name)) {
        if (value !== null && value !== undefined) {
          throw new TypeError(`${this.getName()}: cannot assign ${describeKind(value)} as parameter '${name}' (Parameter or null expected)`);
        }
        parameters.set(name, null);
      } else if (modules.has(name)) {
        if (value !== null && value !== undefined) {
          throw new TypeError(`${this.getName()}: cannot assign ${describeKind(value)} as child module '${name}' (Module or null expected)`);
        }
        modules.set(name, null);
      } else if (buffers.has(name)) {
        if (value !== null && value !== undefined && !(value instanceof Tensor)) {
          throw new TypeError(`${this.getName()}: cannot assign ${describeKind(value)} as buffer '${name}' (Tensor or null expected)`);
        }
        buffers.set(name, (value as Tensor | null | undefined) ?? null);
      }
    }
  }

  /** This module's own registrations, up to date with its fields. */
  [localState](): LocalState {
    this.discoverFields();
    return this.registry;
  }

  // ---- traversal ----

  /** The direct submodules with their names, each module once. */
  namedChildren(): [string, Module][] {
    const result: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [name, module] of this[localState]().modules) {
      if (module === null || seen.has(module)) continue;
      seen.add(module);
      result.push([name, module]);
    }
    return result;
  }

  /** The direct submodules, each once. */
  children(): Module[] {
    return this.namedChildren().map(([, module]) => module);
  }

  /**
   * This module and all its descendants with dotted names (`''` for this
   * one, then `'features'`, `'features.0'`, ...), depth first, each module
   * once.
   */
  namedModules(prefix = ''): [string, Module][] {
    const result: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (module: Module, modulePrefix: string): void => {
      if (seen.has(module)) return;
      seen.add(module);
      result.push([modulePrefix, module]);
      for (const [name, child] of module[localState]().modules) {
        if (child !== null) visit(child, modulePrefix === '' ? name : `${modulePrefix}.${name}`);
      }
    };
    visit(this, prefix);
    return result;
  }

  /** This module and all its descendants, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, module]) => module);
  }

  /**
   * The parameters with PyTorch's dotted names (`'0.weight'`,
   * `'features.conv.bias'`), each parameter once, in module order.
   * @param recurse - include the descendants' parameters (else only this module's own).
   */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    return this.namedMembers(prefix, recurse, (state) => state.parameters) as [string, Parameter][];
  }

  /** The parameters, each once (see {@link Module.namedParameters}). */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, parameter]) => parameter);
  }

  /** The buffers (persistent or not) with dotted names, each once. */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    return this.namedMembers(prefix, recurse, (state) => state.buffers);
  }

  /** The buffers, each once. */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, buffer]) => buffer);
  }

  private namedMembers(
    prefix: string,
    recurse: boolean,
    members: (state: LocalState) => ReadonlyMap<string, Tensor | null>,
  ): [string, Tensor][] {
    const result: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const modules: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modulePrefix, module] of modules) {
      for (const [name, member] of members(module[localState]())) {
        if (member === null || seen.has(member)) continue;
        seen.add(member);
        result.push([modulePrefix === '' ? name : `${modulePrefix}.${name}`, member]);
      }
    }
    return result;
  }

  /**
   * The submodule at a dotted path (`'features.0'`); `''` is this module.
   * @throws Error naming the missing part of the path.
   */
  getSubmodule(target: string): Module {
    return paths.getSubmodule(this, target);
  }

  /**
   * The parameter at a dotted path (`'0.weight'`).
   * @throws Error naming the missing part of the path.
   */
  getParameter(target: string): Parameter {
    return paths.getParameter(this, target);
  }

  /**
   * The buffer at a dotted path (`'1.running_mean'`).
   * @throws Error naming the missing part of the path.
   */
  getBuffer(target: string): Tensor {
    return paths.getBuffer(this, target);
  }

  // ---- modes and gradients ----

  /**
   * Converts every floating-point parameter and buffer (and any gradient) of
   * this module and its submodules to `dtype`, like PyTorch's `module.to(dtype)`.
   * Integer buffers such as `num_batches_tracked` keep their dtype. Parameters
   * are replaced by new ones: build optimizers after converting.
   * @throws DTypeError when `dtype` is not a floating-point dtype.
   * @example
   * ```ts
   * const net = new Sequential(new Linear(3, 2)).to('float64');
   * net.parameters()[0].dtype; // 'float64'
   * ```
   */
  to(dtype: DType): this {
    if (!isFloatingPoint(dtype)) {
      throw new DTypeError(`${this.getName()}.to: expected a floating point dtype, got ${String(dtype)}`);
    }
    withoutGrad(() => {
      for (const module of this.modules()) {
        for (const [name, parameter] of module.registry.parameters) {
          if (parameter === null || !isFloatingPoint(parameter.dtype) || parameter.dtype === dtype) continue;
          const converted = new Parameter(parameter.to(dtype), parameter.requiresGrad);
          converted.grad = parameter.grad === null ? null : parameter.grad.to(dtype);
          module.registerParameter(name, converted);
        }
        for (const [name, buffer] of module.registry.buffers) {
          if (buffer === null || !isFloatingPoint(buffer.dtype) || buffer.dtype === dtype) continue;
          module.registerBuffer(name, buffer.to(dtype), { persistent: !module.registry.nonPersistentBuffers.has(name) });
        }
      }
    });
    return this;
  }

  /** Converts floating-point parameters and buffers to float64 (`to('float64')`). */
  double(): this {
    return this.to('float64');
  }

  /** Converts floating-point parameters and buffers to float32 (`to('float32')`). */
  float(): this {
    return this.to('float32');
  }

  /**
   * Sets training mode (`true`, the default) or evaluation mode on this
   * module and all descendants. Returns this module.
   * @throws TypeError when `mode` is not a boolean.
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError(`train: training mode is expected to be boolean, got ${describeKind(mode)}`);
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode: `train(false)`. Returns this module. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter (to freeze or unfreeze them). Returns this module. */
  requiresGrad_(requiresGrad = true): this {
    for (const parameter of this.parameters()) parameter.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Clears the parameters' gradients: sets them to `null` (the default) or,
   * with `setToNone: false`, fills them with zeros in place.
   */
  zeroGrad(options: ZeroGradOptions = {}): void {
    for (const parameter of this.parameters()) {
      const grad = parameter.grad;
      if (grad === null) continue;
      if (options.setToNone ?? true) {
        parameter.grad = null;
      } else {
        if (grad.gradFn !== null) grad.detach_();
        else grad.requiresGrad = false;
        withoutGrad(() => grad.zero_());
      }
    }
  }

  /**
   * Calls `fn` on every descendant, then on this module (children first, as
   * PyTorch does); the usual way to initialize weights. Returns this module.
   * @throws TypeError when `fn` is not a function.
   * @example
   * ```ts
   * net.apply((module) => {
   *   if (module instanceof Linear) init.xavierUniform_(module.weight);
   * });
   * ```
   */
  apply(fn: (module: Module) => void): this {
    if (typeof fn !== 'function') throw new TypeError(`apply: expected a function, got ${describeKind(fn)}`);
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** The number of parameter elements (each shared parameter counted once). */
  numParameters(options: NumParametersOptions = {}): number {
    let count = 0;
    for (const parameter of this.parameters()) {
      if (options.trainableOnly === true && !parameter.requiresGrad) continue;
      count += parameter.numel();
    }
    return count;
  }

  // ---- state dicts (state-dict.ts) ----

  /**
   * The parameters and persistent buffers by PyTorch's key names (`'0.weight'`,
   * `'1.running_mean'`), in PyTorch's order: each module's parameters, then
   * its buffers, then its children's entries. The tensors are detached and
   * share the module's storage.
   */
  stateDict(options: StateDictOptions = {}): Record<string, Tensor> {
    return stateDict(this, options);
  }

  /**
   * Copies a state dict's tensors into the parameters and buffers in place
   * (without recording gradients), like PyTorch's `load_state_dict`. Every
   * key and shape is checked before anything is copied, so a call that
   * throws changes nothing.
   *
   * @returns the keys the module has and the dict lacks (`missingKeys`), and
   * the keys the dict has and the module lacks (`unexpectedKeys`).
   * @throws ShapeError when a tensor's shape differs from the module's.
   * @throws TypeError when `state` is not a record or Map, or a value is not a Tensor.
   * @throws Error when `strict` (the default) and keys are missing or unexpected.
   */
  loadStateDict(
    state: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>,
    options: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    return loadStateDict(this, state, options);
  }

  // ---- printing ----

  /**
   * The module's extra description in its printout, one line per option
   * (`in_features=3, out_features=4, bias=True`); empty by default.
   */
  extraRepr(): string {
    return '';
  }

  /** The name the printout and error messages use: the class name. */
  getName(): string {
    return this.constructor.name;
  }

  /**
   * The module tree printed as PyTorch prints it:
   * `Sequential(\n  (0): Linear(in_features=3, out_features=4, bias=True)\n)`.
   */
  toString(): string {
    return formatModule(this);
  }

  /** Makes `console.log` and `util.inspect` print the tree, as `toString()` does. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
