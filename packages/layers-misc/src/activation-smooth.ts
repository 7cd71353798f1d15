/**
 * The smooth and the "hard" activation layers over `@strata/tensor`'s
 * functions: `GELU`, `SiLU`, `Mish`, `Sigmoid`, `Tanh`, `Softplus`,
 * `Softsign`, `Hardswish`, `Hardsigmoid`, `Tanhshrink`, like PyTorch's
 * `torch/nn/modules/activation.py`.
 */
import { Module, checkOptionNames, formatPythonNumber } from '@strata/module';
import {
  type GeluOptions,
  type SoftplusOptions,
  type Tensor,
  gelu,
  hardsigmoid,
  hardswish,
  mish,
  sigmoid,
  silu,
  softplus,
  softsign,
  tanh,
  tanhshrink,
} from '@strata/tensor';
import { InplaceActivation, checkActivationInput } from './activation-base.js';
import { type ActivationOptions, checkFiniteNumber, describeOption } from './options.js';

/**
 * x · Φ(x), like `torch.nn.GELU`: exact (with erf) or, with
 * `{ approximate: 'tanh' }`, the tanh approximation.
 *
 * **Shape**: any; the output has the input's shape.
 *
 * @example
 * ```ts
 * new GELU({ approximate: 'tanh' }).toString(); // "GELU(approximate='tanh')"
 * ```
 */
export class GELU extends Module {
  /**
   * Which formula: `'none'` for the exact x · Φ(x) with erf,
   * `'tanh'` for the tanh approximation (PyTorch's `approximate`).
   */
  readonly approximate: 'none' | 'tanh';

  /** @throws RangeError when `approximate` is neither `'none'` nor `'tanh'`. */
  constructor(options: GeluOptions = {}) {
    super();
    checkOptionNames('GELU', options, ['approximate']);
    const approximate = options.approximate ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new RangeError(`GELU: approximate must be 'none' or 'tanh', got ${describeOption(approximate)}`);
    }
    this.approximate = approximate;
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    checkActivationInput('GELU', input, 'float');
    return gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x · sigmoid(x), like `torch.nn.SiLU` (swish). **Shape**: any; the output has the input's shape. */
export class SiLU extends InplaceActivation {
  /** @throws RangeError for a non-boolean `inplace`. */
  constructor(options: ActivationOptions = {}) {
    super('SiLU', options);
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'float', silu);
  }
}

/** x · tanh(softplus(x)), like `torch.nn.Mish`. **Shape**: any; the output has the input's shape. */
export class Mish extends InplaceActivation {
  /** @throws RangeError for a non-boolean `inplace`. */
  constructor(options: ActivationOptions = {}) {
    super('Mish', options);
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'float', mish);
  }
}

/** 1 / (1 + exp(−x)), like `torch.nn.Sigmoid`; int32 and bool inputs give float32. **Shape**: any. */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    checkActivationInput('Sigmoid', input, 'any');
    return sigmoid(input);
  }
}

/** The hyperbolic tangent, like `torch.nn.Tanh`; int32 and bool inputs give float32. **Shape**: any. */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    checkActivationInput('Tanh', input, 'any');
    return tanh(input);
  }
}

/**
 * log(1 + exp(beta · x)) / beta, and x itself where beta · x > threshold,
 * like `torch.nn.Softplus`.
 *
 * **Shape**: any; the output has the input's shape.
 *
 * @example
 * ```ts
 * new Softplus({ beta: 2, threshold: 10 }).toString(); // 'Softplus(beta=2, threshold=10)'
 * ```
 */
export class Softplus extends Module {
  /** The β of log(1 + exp(β·x)) / β: larger values bring it closer to ReLU (non-zero, 1 by default). */
  readonly beta: number;
  /**
   * Where β·x exceeds this, the layer returns x itself, for
   * numerical stability (PyTorch's `threshold`, 20 by default).
   */
  readonly threshold: number;

  /** @throws RangeError for a beta that is 0 or not finite, or a threshold that is not a number. */
  constructor(options: SoftplusOptions = {}) {
    super();
    checkOptionNames('Softplus', options, ['beta', 'threshold']);
    this.beta = checkFiniteNumber('Softplus', 'beta', options.beta ?? 1);
    if (this.beta === 0) throw new RangeError('Softplus: beta cannot be 0 (it divides the result), got 0');
    const threshold = options.threshold ?? 20;
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
      throw new RangeError(`Softplus: threshold must be a number, got ${describeOption(threshold)}`);
    }
    this.threshold = threshold;
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    checkActivationInput('Softplus', input, 'float');
    return softplus(input, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${formatPythonNumber(this.beta)}, threshold=${formatPythonNumber(this.threshold)}`;
  }
}

/** x / (1 + |x|), like `torch.nn.Softsign`; int32 inputs give float32. **Shape**: any. */
export class Softsign extends Module {
  /** @throws DTypeError for a bool input. */
  forward(input: Tensor): Tensor {
    checkActivationInput('Softsign', input, 'numeric');
    return softsign(input);
  }
}

/**
 * x · min(max(x + 3, 0), 6) / 6, like `torch.nn.Hardswish`. PyTorch prints
 * no options for it, `inplace` included.
 */
export class Hardswish extends InplaceActivation {
  /** @throws RangeError for a non-boolean `inplace`. */
  constructor(options: ActivationOptions = {}) {
    super('Hardswish', options);
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'float', hardswish);
  }

  override extraRepr(): string {
    return '';
  }
}

/**
 * min(max(x + 3, 0), 6) / 6, like `torch.nn.Hardsigmoid`. PyTorch prints no
 * options for it, `inplace` included.
 */
export class Hardsigmoid extends InplaceActivation {
  /** @throws RangeError for a non-boolean `inplace`. */
  constructor(options: ActivationOptions = {}) {
    super('Hardsigmoid', options);
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return this.activate(input, 'float', hardsigmoid);
  }

  override extraRepr(): string {
    return '';
  }
}

/** x − tanh(x), like `torch.nn.Tanhshrink`; int32 inputs give float32. **Shape**: any. */
export class Tanhshrink extends Module {
  /** @throws DTypeError for a bool input. */
  forward(input: Tensor): Tensor {
    checkActivationInput('Tanhshrink', input, 'numeric');
    return tanhshrink(input);
  }
}
