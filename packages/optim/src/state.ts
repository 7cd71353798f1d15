import { DTypeError, ShapeError, Tensor, describeKind, formatShape, full, getKernel } from '@strata/tensor';
import { describeValue } from './options.js';

/** The typed arrays behind floating-point tensors: what the update loops run over. */
export type FloatArray = Float32Array | Float64Array;

/** One value of a parameter's optimizer state: a tensor shaped like the parameter, a counter, or PyTorch's `None`. */
export type OptimizerStateValue = Tensor | number | null;

/**
 * The typed array behind a floating-point tensor (its whole storage; index from `tensor.offset`).
 * @throws DTypeError `optimizer: expected a floating point tensor, got int32` for an integer or bool tensor.
 */
export function floatData(tensor: Tensor): FloatArray {
  const data = tensor.storage.data;
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  throw new DTypeError(`optimizer: expected a floating point tensor, got ${tensor.dtype}`);
}

/** A new contiguous tensor shaped and typed like `parameter`, every element `value`. */
export function fullLikeParameter(parameter: Tensor, value = 0): Tensor {
  return full(parameter.shape, value, { dtype: parameter.dtype });
}

/** A new contiguous tensor with `source`'s elements, converted to `dtype` (a snapshot that shares nothing). */
export function copyTensor(source: Tensor, dtype = source.dtype): Tensor {
  return getKernel('copy')(source, dtype);
}

/** A snapshot of one state value: tensors copied, numbers and `null` as they are. */
export function snapshotValue(value: OptimizerStateValue): OptimizerStateValue {
  return value instanceof Tensor ? copyTensor(value) : value;
}

/** Reads a saved parameter state for `loadStateDict`, with messages naming the optimizer and the parameter index. */
export class SavedStateReader {
  constructor(
    private readonly owner: string,
    private readonly saved: Readonly<Record<string, unknown>>,
    private readonly parameter: Tensor,
    private readonly index: number,
  ) {}

  /**
   * Checks that the saved state holds only the keys this optimizer keeps
   * (`known`, e.g. `['step', 'expAvg', 'expAvgSq']`), so a state dict from another optimizer is refused.
   * @throws Error when the state has a key outside `known`.
   */
  checkKeys(known: readonly string[]): void {
    for (const key of Object.keys(this.saved)) {
      if (!known.includes(key)) {
        throw new Error(`${this.owner}: loadStateDict: unexpected state '${key}' for parameter ${this.index} (expected ${known.join(', ')})`);
      }
    }
  }

  /** Whether the state has `key` with a value other than `null`. */
  has(key: string): boolean {
    const value = this.saved[key];
    return value !== undefined && value !== null;
  }

  /**
   * A counter (`step`): a number, or a one-element tensor as PyTorch stores it.
   * @throws Error when missing, TypeError when neither.
   */
  number(key: string): number {
    const value = this.saved[key];
    if (value === undefined) throw new Error(`${this.owner}: loadStateDict: the state of parameter ${this.index} has no '${key}'`);
    if (typeof value === 'number') return value;
    if (value instanceof Tensor && value.numel() === 1) return value.item();
    throw new TypeError(`${this.owner}: loadStateDict: '${key}' of parameter ${this.index} should be a number, got ${describeValue(value)}`);
  }

  /**
   * A tensor shaped like the parameter, copied into a new contiguous tensor of
   * the parameter's dtype (PyTorch casts floating state to the parameter's dtype).
   * @throws Error when missing, TypeError when not a tensor, ShapeError when its shape differs.
   */
  tensor(key: string): Tensor {
    const value = this.saved[key];
    if (value === undefined || value === null) {
      throw new Error(`${this.owner}: loadStateDict: the state of parameter ${this.index} has no '${key}'`);
    }
    if (!(value instanceof Tensor)) {
      throw new TypeError(`${this.owner}: loadStateDict: '${key}' of parameter ${this.index} should be a Tensor, got ${describeKind(value)}`);
    }
    const shape = this.parameter.shape;
    if (value.shape.length !== shape.length || value.shape.some((size, d) => size !== shape[d])) {
      throw new ShapeError(
        `${this.owner}: loadStateDict: '${key}' of parameter ${this.index} has shape ${formatShape(value.shape)}, but the parameter has shape ${formatShape(shape)}`,
      );
    }
    return copyTensor(value, this.parameter.dtype);
  }

  /** `tensor(key)` when the state has it, else `null`. */
  optionalTensor(key: string): Tensor | null {
    return this.has(key) ? this.tensor(key) : null;
  }
}
