import { DTypeError, ShapeError, Tensor, describeKind, formatShape, isFloatingPoint } from '@strata/tensor';
import { describeValue, isIterable, isPlainObject } from './options.js';

/** The options every optimizer has. */
export interface OptimizerOptions {
  /**
   * The learning rate.
   * @defaultValue depends on the optimizer (PyTorch's default)
   */
  lr?: number;
}

/**
 * A parameter group as the optimizer holds it: the parameters and every
 * option resolved. Edit the options in place between steps (`group.lr = 0.01`);
 * learning-rate schedulers do exactly that.
 */
export interface ParamGroup {
  /** The group's parameters, in the order given. */
  params: Tensor[];
  /** The learning rate of the next step. */
  lr: number;
  /** The learning rate a scheduler started from (PyTorch's `initial_lr`); set by the first scheduler. */
  initialLr?: number;
  /** `OneCycleLR`'s peak learning rate (PyTorch's `max_lr`). */
  maxLr?: number;
  /** `OneCycleLR`'s final learning rate (PyTorch's `min_lr`). */
  minLr?: number;
  /** `OneCycleLR`'s largest momentum (PyTorch's `max_momentum`). */
  maxMomentum?: number;
  /** `OneCycleLR`'s smallest momentum (PyTorch's `base_momentum`). */
  baseMomentum?: number;
}

/** The keys schedulers add to a parameter group; they travel through `stateDict()` with the options. */
export const SCHEDULER_GROUP_KEYS = ['initialLr', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum'] as const;

/** A parameter group of an optimizer with options `Options`: every option resolved. */
export type ParamGroupOf<Options extends OptimizerOptions> = ParamGroup & Required<Options>;

/**
 * A parameter group as passed to a constructor or `addParamGroup`: the
 * parameters (one tensor or several) and the options that differ from the
 * optimizer's defaults.
 */
export type ParamGroupInput<Options extends OptimizerOptions> = Options & { params: Tensor | Iterable<Tensor> };

/**
 * What an optimizer optimizes: the tensors (e.g. `model.parameters()`), or
 * parameter groups with their own options.
 */
export type ParamsInput<Options extends OptimizerOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<Options>>;

/**
 * The parameters of a group input as a fresh array, each checked: a
 * floating-point leaf tensor whose elements can be written in place.
 * @throws TypeError for a non-tensor, DTypeError for a non-float tensor,
 * Error for a non-leaf tensor, ShapeError for an expanded view.
 */
export function collectParameters(owner: string, params: unknown): Tensor[] {
  let list: unknown[];
  if (params instanceof Tensor) list = [params];
  else if (isIterable(params)) list = Array.from(params);
  else throw new TypeError(`${owner}: expected the group's params to be a Tensor or an iterable of Tensors, got ${describeKind(params)}`);
  const parameters: Tensor[] = [];
  list.forEach((parameter, index) => {
    if (!(parameter instanceof Tensor)) {
      throw new TypeError(`${owner}: can only optimize Tensors, but parameter ${index} of the group is ${describeKind(parameter)}`);
    }
    if (!isFloatingPoint(parameter.dtype)) {
      throw new DTypeError(`${owner}: can only optimize floating point tensors, but parameter ${index} of the group is ${parameter.dtype}`);
    }
    if (!parameter.isLeaf) {
      throw new Error(
        `${owner}: can't optimize a non-leaf Tensor (parameter ${index} of the group was produced by an operation; pass the leaf, or detach() it)`,
      );
    }
    for (let d = 0; d < parameter.ndim; d++) {
      if (parameter.shape[d]! > 1 && parameter.strides[d] === 0) {
        throw new ShapeError(
          `${owner}: can't optimize an expanded view (parameter ${index} of the group has shape ${formatShape(parameter.shape)} and strides ${formatShape(parameter.strides)}); clone() it first`,
        );
      }
    }
    parameters.push(parameter);
  });
  return parameters;
}

/**
 * Splits the constructor's `params` into group inputs: plain tensors become
 * one group, plain objects are groups already.
 * @throws TypeError for a single Tensor (PyTorch's rule: pass an array) or a non-iterable.
 * @throws Error for an empty list.
 */
export function splitGroups(owner: string, params: unknown): Record<string, unknown>[] {
  if (params instanceof Tensor) {
    throw new TypeError(`${owner}: params should be an iterable of Tensors or of parameter groups, but got a Tensor (wrap it: [tensor])`);
  }
  if (!isIterable(params)) {
    throw new TypeError(`${owner}: params should be an iterable of Tensors or of parameter groups, got ${describeValue(params)}`);
  }
  const items = Array.from(params);
  if (items.length === 0) throw new Error(`${owner}: got an empty parameter list`);
  if (!isPlainObject(items[0])) return [{ params: items }];
  return items.map((item, index) => {
    if (!isPlainObject(item)) {
      throw new TypeError(`${owner}: params mixes parameter groups and other values (item ${index} is ${describeValue(item)})`);
    }
    return item;
  });
}
