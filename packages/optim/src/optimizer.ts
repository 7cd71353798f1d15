import { enableGrad, noGrad } from '@strata/autograd';
import { DTypeError, ShapeError, Tensor, formatShape, zero_ } from '@strata/tensor';
import { checkNumber, checkOptionKeys, describeValue, isPlainObject } from './options.js';
import {
  type OptimizerOptions,
  type ParamGroupInput,
  type ParamGroupOf,
  type ParamsInput,
  SCHEDULER_GROUP_KEYS,
  collectParameters,
  splitGroups,
} from './param-group.js';
import { type OptimizerStateValue, SavedStateReader, snapshotValue } from './state.js';

/** What an optimizer class tells its base: its name, its defaults and how it validates options. */
export interface OptimizerSpec<Options extends OptimizerOptions> {
  /** The class name every error message starts with (`'SGD'`). */
  readonly name: string;
  /** Every option's default value, in the order `stateDict()` lists them. */
  readonly defaults: Readonly<Required<Options>>;
  /**
   * Validates a complete set of options (defaults already filled in) and
   * returns them typed, as a new object.
   */
  resolve(owner: string, options: Readonly<Record<string, unknown>>): Required<Options> & { lr: number };
}

/** Options of `Optimizer.zeroGrad`. */
export interface OptimizerZeroGradOptions {
  /**
   * Set each gradient to `null` (PyTorch 2's default) rather than filling it with zeros.
   * @defaultValue `true`
   */
  setToNone?: boolean;
}

/** A parameter group's options as a state dict stores them. */
export type ParamGroupStateValue = number | boolean | string | readonly number[];

/** A parameter group in a state dict: its options and its parameters as indices (PyTorch's `param_groups` entry). */
export interface ParamGroupState {
  /** The indices of the group's parameters, numbered across all groups in order. */
  params: number[];
  [option: string]: ParamGroupStateValue;
}

/**
 * An optimizer's state dict in PyTorch's layout (with camelCase keys):
 * `state` keyed by parameter index (only parameters that have state), and
 * `paramGroups` with each group's options and parameter indices.
 */
export interface OptimizerStateDict {
  /**
   * Each parameter's state by its index across all groups (PyTorch's `state`), such
   * as `{ 0: { momentumBuffer: Tensor } }` for SGD; parameters without state are left out.
   */
  state: Record<number, Record<string, OptimizerStateValue>>;
  /** One entry per parameter group, in order: its options and its parameters' indices (PyTorch's `param_groups`). */
  paramGroups: ParamGroupState[];
}


/**
 * The base class of all optimizers, like `torch.optim.Optimizer`: parameter
 * groups with their own options, per-parameter state, `zeroGrad`, `step`,
 * and state dicts in PyTorch's layout.
 *
 * A subclass passes an `OptimizerSpec` to the constructor and implements
 * `updateParameter` (one parameter's in-place update, through its update kernel) and
 * `restoreState` (its state from a state dict).
 *
 * @example
 * ```ts
 * const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * for (const [input, target] of batches) {
 *   optimizer.zeroGrad();
 *   lossFunction(model.forward(input), target).backward();
 *   optimizer.step();
 * }
 * ```
 */
export abstract class Optimizer<Options extends OptimizerOptions = OptimizerOptions, State extends object = object> {
  /** The options a group gets for each option it does not set. */
  readonly defaults: Readonly<Required<Options>>;
  /** The parameter groups; their options may be edited between steps (`paramGroups[0].lr = 0.01`). */
  readonly paramGroups: ParamGroupOf<Options>[] = [];
  /** Each parameter's state (created on its first step), like PyTorch's `optimizer.state`. */
  readonly state = new Map<Tensor, State>();
  private readonly spec: OptimizerSpec<Options>;

  /**
   * @param spec - the subclass's name, defaults and option validation.
   * @param params - the tensors to optimize, or parameter groups.
   * @param options - the defaults for every group.
   * @throws TypeError, RangeError for invalid options; Error, DTypeError, ShapeError for invalid parameters.
   */
  protected constructor(spec: OptimizerSpec<Options>, params: ParamsInput<Options>, options: Options) {
    this.spec = spec;
    const given = checkOptionKeys(spec.name, options, Object.keys(spec.defaults));
    const defaults = spec.resolve(spec.name, mergeOptions(spec.defaults, given));
    this.defaults = Object.freeze(defaults);
    const groups = splitGroups(spec.name, params);
    for (const group of groups) this.insertGroup(group);
  }

  /**
   * Adds a parameter group, e.g. layers unfrozen during fine-tuning; options
   * it does not set come from `defaults`.
   * @throws TypeError, RangeError for invalid options; Error when a parameter is already in a group.
   */
  addParamGroup(group: ParamGroupInput<Options>): void {
    this.insertGroup(group);
  }

  /**
   * Clears the gradients of every parameter: sets them to `null` (the
   * default, PyTorch 2's) or, with `setToNone: false`, fills them with zeros.
   */
  zeroGrad(options: OptimizerZeroGradOptions = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const parameter of group.params) {
        const grad = parameter.grad;
        if (grad === null) continue;
        if (setToNone) {
          parameter.grad = null;
          continue;
        }
        if (grad.gradFn !== null) grad.detach_();
        else grad.requiresGrad = false;
        noGrad(() => zero_(grad));
      }
    }
  }

  /**
   * Performs one optimization step: updates every parameter that has a
   * gradient, in place (parameters without one are skipped). `closure`, when
   * given, runs first with gradients enabled (it should zero the gradients,
   * compute the loss, call `backward()` and return the loss); its result is
   * returned.
   *
   * @throws ShapeError, DTypeError when a gradient's shape or dtype differs
   * from its parameter's (checked for every parameter before any is updated).
   */
  step(): undefined;
  step<Loss>(closure: () => Loss): Loss;
  step<Loss>(closure?: () => Loss): Loss | undefined {
    let loss: Loss | undefined;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw new TypeError(`${this.spec.name}: step: expected closure to be a function, got ${describeValue(closure)}`);
      loss = enableGrad(closure);
    }
    this.checkGradients();
    for (const group of this.paramGroups) {
      const params = group.params;
      for (let i = 0; i < params.length; i++) {
        const parameter = params[i]!;
        const grad = parameter.grad;
        if (grad !== null) this.updateParameter(group, parameter, grad);
      }
    }
    return loss;
  }

  /**
   * Updates one parameter in place from its gradient (same shape and dtype,
   * checked), creating its state on the first call. The built-in optimizers
   * run one fused update kernel per parameter (`adamUpdate`, `sgdUpdate`, …)
   * so a backend can take the whole update over.
   */
  protected abstract updateParameter(group: ParamGroupOf<Options>, parameter: Tensor, grad: Tensor): void;

  /**
   * A parameter's state rebuilt from a state dict entry (tensors copied).
   * Called by `loadStateDict` for every entry before anything is changed.
   */
  protected abstract restoreState(parameter: Tensor, saved: SavedStateReader, group: ParamGroupOf<Options>): State;

  /** Called after a group is added (by the constructor or `addParamGroup`); Adagrad creates its state here. */
  protected initializeGroup(_group: ParamGroupOf<Options>): void {}

  /**
   * The optimizer's state in PyTorch's layout (see `OptimizerStateDict`): a
   * snapshot, whose tensors are copies, so later steps don't change it.
   */
  stateDict(): OptimizerStateDict {
    const indices = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group): ParamGroupState => {
      const options: Record<string, ParamGroupStateValue> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key !== 'params' && value !== undefined) options[key] = groupValue(value);
      }
      const params = group.params.map((parameter) => {
        const index = indices.get(parameter) ?? indices.size;
        indices.set(parameter, index);
        return index;
      });
      return { ...options, params };
    });
    const state: Record<number, Record<string, OptimizerStateValue>> = {};
    for (const [parameter, entry] of this.state) {
      const index = indices.get(parameter);
      if (index === undefined) continue;
      const saved: Record<string, OptimizerStateValue> = {};
      for (const [key, value] of Object.entries(entry)) {
        if (value === undefined) continue;
        saved[key] = snapshotValue(stateValue(value));
      }
      state[index] = saved;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from `stateDict()` (of an optimizer of the same
   * class over parameters of the same shapes, grouped the same way): each
   * group's options and each parameter's state (copied, cast to the
   * parameter's dtype), so training resumes exactly where it was saved.
   * Everything is checked before anything changes.
   *
   * @throws Error when the groups or their sizes differ, or the state has unknown entries;
   * ShapeError when a state tensor's shape differs from its parameter's; TypeError, RangeError for invalid options.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const owner = `${this.spec.name}: loadStateDict`;
    if (!isPlainObject(stateDict) || !Array.isArray(stateDict.paramGroups) || !isPlainObject(stateDict.state)) {
      throw new TypeError(`${owner}: expected { state, paramGroups } as stateDict() returns, got ${describeValue(stateDict)}`);
    }
    const savedGroups = stateDict.paramGroups;
    if (savedGroups.length !== this.paramGroups.length) {
      throw new Error(`${owner}: the state dict has ${savedGroups.length} parameter groups, but the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, { parameter: Tensor; group: ParamGroupOf<Options> }>();
    const groups = savedGroups.map((saved, groupIndex) => {
      const current = this.paramGroups[groupIndex]!;
      if (!isPlainObject(saved) || !Array.isArray(saved.params)) {
        throw new TypeError(`${owner}: parameter group ${groupIndex} should be an object with params, got ${describeValue(saved)}`);
      }
      if (saved.params.length !== current.params.length) {
        throw new Error(
          `${owner}: parameter group ${groupIndex} of the state dict has ${saved.params.length} parameters, but the optimizer's has ${current.params.length}`,
        );
      }
      const group = this.resolveGroup(owner, saved, current.params, `parameter group ${groupIndex}`);
      saved.params.forEach((index, position) => byIndex.set(index, { parameter: current.params[position]!, group }));
      return group;
    });
    const state = new Map<Tensor, State>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const found = byIndex.get(Number(key));
      if (found === undefined) {
        throw new Error(`${owner}: the state dict has state for parameter ${key}, which none of its parameter groups lists`);
      }
      if (!isPlainObject(entry)) throw new TypeError(`${owner}: the state of parameter ${key} should be an object, got ${describeValue(entry)}`);
      const reader = new SavedStateReader(this.spec.name, entry, found.parameter, Number(key));
      state.set(found.parameter, this.restoreState(found.parameter, reader, found.group));
    }
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [parameter, entry] of state) this.state.set(parameter, entry);
  }

  /** PyTorch's printout: each group's options, sorted by name. */
  toString(): string {
    let text = `${this.spec.name} (`;
    this.paramGroups.forEach((group, index) => {
      text += `\nParameter Group ${index}\n`;
      const keys = Object.keys(group).filter((key) => key !== 'params').sort();
      for (const key of keys) {
        const value: unknown = Reflect.get(group, key);
        text += `    ${key}: ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}\n`;
      }
    });
    return `${text})`;
  }

  private insertGroup(input: unknown): void {
    const owner = this.spec.name;
    const record = checkOptionKeys(owner, input, ['params', ...Object.keys(this.spec.defaults), ...SCHEDULER_GROUP_KEYS], 'a parameter group');
    if (!('params' in record)) throw new TypeError(`${owner}: a parameter group needs params`);
    const params = collectParameters(owner, record.params);
    const seen = new Set<Tensor>();
    params.forEach((parameter, index) => {
      if (seen.has(parameter)) throw new Error(`${owner}: parameter ${index} of the new group appears in it twice`);
      seen.add(parameter);
    });
    this.paramGroups.forEach((group, groupIndex) => {
      group.params.forEach((parameter, index) => {
        if (seen.has(parameter)) {
          throw new Error(
            `${owner}: some parameters appear in more than one parameter group (parameter ${params.indexOf(parameter)} of the new group is parameter ${index} of group ${groupIndex})`,
          );
        }
      });
    });
    const group = this.resolveGroup(owner, record, params, 'a parameter group');
    this.paramGroups.push(group);
    this.initializeGroup(group);
  }

  /** A group from its options (over the defaults) and parameters; scheduler keys are kept. */
  private resolveGroup(owner: string, record: Record<string, unknown>, params: Tensor[], what: string): ParamGroupOf<Options> {
    const known = ['params', ...Object.keys(this.spec.defaults), ...SCHEDULER_GROUP_KEYS];
    checkOptionKeys(owner, record, known, what);
    const options = this.spec.resolve(owner, mergeOptions(this.defaults, record));
    const group: ParamGroupOf<Options> = { ...options, params };
    for (const key of SCHEDULER_GROUP_KEYS) {
      const value = record[key];
      if (value !== undefined) group[key] = checkNumber(owner, key, value);
    }
    return group;
  }

  /** @throws ShapeError, DTypeError naming the first gradient that doesn't fit its parameter. */
  private checkGradients(): void {
    const owner = this.spec.name;
    for (let groupIndex = 0; groupIndex < this.paramGroups.length; groupIndex++) {
      const params = this.paramGroups[groupIndex]!.params;
      for (let index = 0; index < params.length; index++) {
        const parameter = params[index]!;
        const grad: unknown = parameter.grad;
        if (grad === null) continue;
        const which = `parameter ${index} of group ${groupIndex}`;
        if (!(grad instanceof Tensor)) throw new TypeError(`${owner}: the gradient of ${which} is ${describeValue(grad)}, not a Tensor`);
        if (grad.dtype !== parameter.dtype) {
          throw new DTypeError(`${owner}: the gradient of ${which} is ${grad.dtype}, but the parameter is ${parameter.dtype}`);
        }
        const shape = parameter.shape;
        let same = grad.shape.length === shape.length;
        for (let d = 0; same && d < shape.length; d++) same = grad.shape[d] === shape[d];
        if (!same) {
          throw new ShapeError(`${owner}: the gradient of ${which} has shape ${formatShape(grad.shape)}, but the parameter has shape ${formatShape(shape)}`);
        }
      }
    }
  }
}

/** `defaults` overridden by the keys `overrides` sets (an `undefined` value counts as unset). */
function mergeOptions(defaults: object, overrides: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (key !== 'params' && value !== undefined) merged[key] = value;
  }
  return merged;
}

function groupValue(value: unknown): ParamGroupStateValue {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) return [...value];
  throw new TypeError(`optimizer: can't save the group option ${describeValue(value)}`);
}

function stateValue(value: unknown): OptimizerStateValue {
  if (value === null || typeof value === 'number' || value instanceof Tensor) return value;
  throw new TypeError(`optimizer: can't save the state value ${describeValue(value)}`);
}
