/**
 * What the activation layers share: the input check that names the layer,
 * the in-place application of an activation (PyTorch's `inplace=True`), and
 * the base class that holds the `inplace` flag and prints it.
 */
import { Module } from '@strata/module';
import { DTypeError, Tensor, checkTensor, isFloatingPoint, isGradEnabled } from '@strata/tensor';
import { type ActivationOptions, resolveActivationOptions } from './options.js';

/** Which dtypes an activation takes: floats only, floats and int32, or any (int and bool become float32). */
export type AcceptedInput = 'float' | 'numeric' | 'any';

/**
 * Checks an activation layer's input, so that the message names the layer.
 * @throws TypeError for a non-tensor; DTypeError for a dtype the activation does not take.
 */
export function checkActivationInput(name: string, input: unknown, accepted: AcceptedInput): asserts input is Tensor {
  checkTensor(name, 'input', input);
  if (accepted === 'float' && !isFloatingPoint(input.dtype)) {
    throw new DTypeError(`${name}: not implemented for '${input.dtype}' (expected float32 or float64)`);
  }
  if (accepted === 'numeric' && input.dtype === 'bool') {
    throw new DTypeError(`${name}: bool inputs are not supported (expected float32, float64 or int32)`);
  }
}

/**
 * Writes `compute(input)` into `input` and returns `input`, like PyTorch's
 * in-place activations (`F.elu(x, inplace=True)`). When gradients are
 * recorded the activation reads a clone, so the values it saved for backward
 * are not the ones overwritten; the write itself is recorded by `copy_`.
 * @throws Error for a leaf that requires grad (in grad mode), as in PyTorch.
 */
export function applyInPlace(name: string, input: Tensor, compute: (input: Tensor) => Tensor): Tensor {
  const recording = checkInPlaceTarget(name, input);
  return input.copy_(compute(recording ? input.clone() : input));
}

/**
 * Autograd's rule for writing into `input`; returns whether the write will
 * be recorded (grad mode on and `input` requires grad).
 * @throws Error `ReLU: a leaf Variable that requires grad is being used in an in-place operation.`
 */
export function checkInPlaceTarget(name: string, input: Tensor): boolean {
  const recording = isGradEnabled() && input.requiresGrad;
  if (recording && input.isLeaf) {
    throw new Error(`${name}: a leaf Variable that requires grad is being used in an in-place operation.`);
  }
  return recording;
}

/** The base of the activation layers with an `inplace` option. */
export abstract class InplaceActivation extends Module {
  /** Whether `forward` overwrites its input. */
  readonly inplace: boolean;
  /** The class name messages use, fixed so that minified builds keep it. */
  protected readonly layerName: string;

  protected constructor(layerName: string, options: ActivationOptions) {
    super();
    this.layerName = layerName;
    this.inplace = resolveActivationOptions(layerName, options).inplace;
  }

  /** Checks the input, then applies `compute` out of place or in place. */
  protected activate(input: Tensor, accepted: AcceptedInput, compute: (input: Tensor) => Tensor): Tensor {
    checkActivationInput(this.layerName, input, accepted);
    return this.inplace ? applyInPlace(this.layerName, input, compute) : compute(input);
  }

  /** `', inplace=True'` when in place (PyTorch's `inplace_str`), else `''`. */
  protected inplaceSuffix(): string {
    return this.inplace ? ', inplace=True' : '';
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}
