/**
 * The piecewise activation layers over `@strata/tensor`'s functions:
 * `ReLU`, `ReLU6`, `LeakyReLU`, `ELU`, `SELU`, `CELU`, `Hardtanh`,
 * `Threshold`, like PyTorch's `torch/nn/modules/activation.py`. Each takes
 * PyTorch's positional arguments, then `{ inplace }`.
 *
 * Numbers that PyTorch types as `float` print as Python floats
 * (`LeakyReLU(negative_slope=0.01)`, `ELU(alpha=1.0)`).
 */
import { type Tensor, celu, elu, hardtanh, leakyRelu, relu, relu6, selu, threshold } from '@strata/tensor';
import { InplaceActivation, checkActivationInput, checkInPlaceTarget } from './activation-base.js';
import { type ActivationOptions, checkFiniteNumber } from './options.js';
import { formatPythonFloat } from '@strata/module';

/**
 * max(x, 0) element-wise, like `torch.nn.ReLU`.
 *
 * **Shape**: any; the output has the input's shape (and dtype: int32 stays int32).
 *
 * @example
 * ```ts
 * new ReLU().forward(tensor([-1, 0, 2])).tolist(); // [0, 0, 2]
 * new ReLU({ inplace: true }).toString();          // 'ReLU(inplace=True)'
 * ```
 */
export class ReLU extends InplaceActivation {
  /** @throws RangeError for a non-boolean `inplace`. */
  constructor(options: ActivationOptions = {}) {
    super('ReLU', options);
  }

  /** @throws DTypeError for a bool input; Error for an in-place call on a leaf that requires grad. */
  forward(input: Tensor): Tensor {
    checkActivationInput(this.layerName, input, 'numeric');
    if (!this.inplace) return relu(input);
    checkInPlaceTarget(this.layerName, input);
    return input.relu_();
  }
}

/**
 * min(max(x, 0), 6) element-wise, like `torch.nn.ReLU6`.
 *
 * **Shape**: any; the output has the input's shape.
 */
export class ReLU6 extends InplaceActivation {
  /** @throws RangeError for a non-boolean `inplace`. */
  constructor(options: ActivationOptions = {}) {
    super('ReLU6', options);
  }

  /** @throws DTypeError for a bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'numeric', relu6);
  }
}

/**
 * x for x > 0, else negativeSlope · x, like `torch.nn.LeakyReLU`.
 *
 * **Shape**: any; the output has the input's shape.
 *
 * @example
 * ```ts
 * new LeakyReLU(0.2).forward(tensor([-1, 2])).tolist(); // [-0.2, 2]
 * ```
 */
export class LeakyReLU extends InplaceActivation {
  /** The slope for negative inputs (PyTorch's `negative_slope`, 0.01 by default). */
  readonly negativeSlope: number;

  /** @throws RangeError for a non-finite slope or a non-boolean `inplace`. */
  constructor(negativeSlope = 0.01, options: ActivationOptions = {}) {
    super('LeakyReLU', options);
    this.negativeSlope = checkFiniteNumber('LeakyReLU', 'negativeSlope', negativeSlope);
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'float', (x) => leakyRelu(x, this.negativeSlope));
  }

  override extraRepr(): string {
    return `negative_slope=${formatPythonFloat(this.negativeSlope)}${this.inplaceSuffix()}`;
  }
}

/**
 * x for x > 0, else alpha · (exp(x) − 1), like `torch.nn.ELU`.
 *
 * **Shape**: any; the output has the input's shape.
 */
export class ELU extends InplaceActivation {
  /** The α of α · (exp(x) − 1) for x ≤ 0: negative inputs saturate at −α (PyTorch's `alpha`, 1 by default). */
  readonly alpha: number;

  /** @throws RangeError for a non-finite alpha or a non-boolean `inplace`. */
  constructor(alpha = 1, options: ActivationOptions = {}) {
    super('ELU', options);
    this.alpha = checkFiniteNumber('ELU', 'alpha', alpha);
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'float', (x) => elu(x, this.alpha));
  }

  override extraRepr(): string {
    return `alpha=${formatPythonFloat(this.alpha)}${this.inplaceSuffix()}`;
  }
}

/**
 * scale · ELU(x, alpha) with the self-normalizing constants (scale ≈ 1.0507,
 * alpha ≈ 1.6733), like `torch.nn.SELU`.
 *
 * **Shape**: any; the output has the input's shape.
 */
export class SELU extends InplaceActivation {
  /** @throws RangeError for a non-boolean `inplace`. */
  constructor(options: ActivationOptions = {}) {
    super('SELU', options);
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'float', selu);
  }
}

/**
 * x for x > 0, else alpha · (exp(x / alpha) − 1), like `torch.nn.CELU`.
 *
 * **Shape**: any; the output has the input's shape.
 */
export class CELU extends InplaceActivation {
  /**
   * The α of CELU: the saturation value −α for negative inputs and
   * the scale of x in exp(x / α); non-zero, 1 by default.
   */
  readonly alpha: number;

  /** @throws RangeError for an alpha that is 0 or not finite, or a non-boolean `inplace`. */
  constructor(alpha = 1, options: ActivationOptions = {}) {
    super('CELU', options);
    this.alpha = checkFiniteNumber('CELU', 'alpha', alpha);
    if (alpha === 0) throw new RangeError('CELU: alpha cannot be 0 (it divides the input), got 0');
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'float', (x) => celu(x, this.alpha));
  }

  override extraRepr(): string {
    return `alpha=${formatPythonFloat(this.alpha)}${this.inplaceSuffix()}`;
  }
}

/**
 * x clamped to [minVal, maxVal], like `torch.nn.Hardtanh`.
 *
 * **Shape**: any; the output has the input's shape (int32 stays int32).
 *
 * @example
 * ```ts
 * new Hardtanh(-2, 2).forward(tensor([-3, 0.5, 3])).tolist(); // [-2, 0.5, 2]
 * ```
 */
export class Hardtanh extends InplaceActivation {
  /** The lower end of the linear region; smaller inputs become it (PyTorch's `min_val`, −1 by default). */
  readonly minVal: number;
  /** The upper end of the linear region; larger inputs become it (PyTorch's `max_val`, 1 by default). */
  readonly maxVal: number;

  /** @throws RangeError unless maxVal > minVal (PyTorch's assertion), or for a non-boolean `inplace`. */
  constructor(minVal = -1, maxVal = 1, options: ActivationOptions = {}) {
    super('Hardtanh', options);
    this.minVal = checkFiniteNumber('Hardtanh', 'minVal', minVal);
    this.maxVal = checkFiniteNumber('Hardtanh', 'maxVal', maxVal);
    if (!(maxVal > minVal)) {
      throw new RangeError(`Hardtanh: maxVal must be greater than minVal, got minVal=${minVal}, maxVal=${maxVal}`);
    }
  }

  /** @throws DTypeError for a bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'numeric', (x) => hardtanh(x, this.minVal, this.maxVal));
  }

  override extraRepr(): string {
    return `min_val=${formatPythonFloat(this.minVal)}, max_val=${formatPythonFloat(this.maxVal)}${this.inplaceSuffix()}`;
  }
}

/**
 * `value` where x <= threshold, else x, like `torch.nn.Threshold`.
 *
 * **Shape**: any; the output has the input's shape (int32 stays int32).
 *
 * @example
 * ```ts
 * new Threshold(0.1, 20).forward(tensor([0, 0.5])).tolist(); // [20, 0.5]
 * ```
 */
export class Threshold extends InplaceActivation {
  /** Inputs less than or equal to this are replaced by `value` (PyTorch's `threshold`). */
  readonly threshold: number;
  /** What inputs at or below `threshold` are replaced with (PyTorch's `value`). */
  readonly value: number;

  /** @throws RangeError for a non-number threshold or value, or a non-boolean `inplace`. */
  constructor(threshold: number, value: number, options: ActivationOptions = {}) {
    super('Threshold', options);
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
      throw new RangeError(`Threshold: threshold must be a number, got ${String(threshold)}`);
    }
    if (typeof value !== 'number' || Number.isNaN(value)) throw new RangeError(`Threshold: value must be a number, got ${String(value)}`);
    this.threshold = threshold;
    this.value = value;
  }

  /** @throws DTypeError for a bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'numeric', (x) => threshold(x, this.threshold, this.value));
  }

  override extraRepr(): string {
    return `threshold=${formatPythonFloat(this.threshold)}, value=${formatPythonFloat(this.value)}${this.inplaceSuffix()}`;
  }
}
