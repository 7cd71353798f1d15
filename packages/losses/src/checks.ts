/**
 * The input checks the losses share, so that the functional ops and the
 * modules say the same thing: messages name the op (`mseLoss`) or the module
 * (`MSELoss`), what was expected and what came. And the reduction step every
 * composed loss ends with.
 */
import { DTypeError, ShapeError, Tensor, checkTensor, formatShape, isFloatingPoint } from '@strata/tensor';
import { type KLDivReduction } from './options.js';

/**
 * Checks that `value` is a floating-point tensor.
 * @throws TypeError `mseLoss: expected input to be a Tensor, got number`
 * @throws DTypeError `mseLoss: expected a floating-point input, got int32`
 */
export function checkFloatTensor(name: string, argument: string, value: unknown): asserts value is Tensor {
  checkTensor(name, argument, value);
  if (!isFloatingPoint(value.dtype)) throw new DTypeError(`${name}: expected a floating-point ${argument}, got ${value.dtype}`);
}

/**
 * Checks a float `other` (a target, a second input) against `input`: the same dtype and the same shape.
 * Strata does not broadcast them (PyTorch warns and broadcasts), so a misshapen target can't silently average the wrong pairs.
 * @throws DTypeError `mseLoss: expected target of dtype float32 (the input's), got float64`
 * @throws ShapeError `mseLoss: expected input and target of the same shape, got input [2, 3] and target [3]`
 */
export function checkPair(name: string, input: Tensor, other: unknown, argument = 'target', inputArgument = 'input'): asserts other is Tensor {
  checkTensor(name, argument, other);
  if (other.dtype !== input.dtype) {
    throw new DTypeError(`${name}: expected ${argument} of dtype ${input.dtype} (the ${inputArgument}'s), got ${other.dtype}`);
  }
  checkSameShape(name, input, other, argument, inputArgument);
}

/**
 * Checks that two tensors have the same shape.
 * @throws ShapeError `marginRankingLoss: expected input1 and target of the same shape, got input1 [3] and target [1, 3]`
 */
export function checkSameShape(name: string, input: Tensor, other: Tensor, argument: string, inputArgument = 'input'): void {
  if (input.shape.length !== other.shape.length || input.shape.some((size, d) => size !== other.shape[d])) {
    throw new ShapeError(
      `${name}: expected ${inputArgument} and ${argument} of the same shape, got ${inputArgument} ${formatShape(input.shape)} and ${argument} ${formatShape(other.shape)}`,
    );
  }
}

/**
 * Checks an elementwise weight: the input's dtype, and a shape that broadcasts to the input's.
 * @throws DTypeError `binaryCrossEntropy: expected weight of dtype float32 (the input's), got float64`
 * @throws ShapeError `binaryCrossEntropy: weight of shape [4] does not broadcast to the input's shape [2, 3]`
 */
export function checkBroadcastWeight(name: string, argument: string, weight: Tensor, input: Tensor): void {
  if (weight.dtype !== input.dtype) {
    throw new DTypeError(`${name}: expected ${argument} of dtype ${input.dtype} (the input's), got ${weight.dtype}`);
  }
  const offset = input.ndim - weight.ndim;
  if (offset < 0 || weight.shape.some((size, d) => size !== 1 && size !== input.shape[offset + d])) {
    throw new ShapeError(
      `${name}: ${argument} of shape ${formatShape(weight.shape)} does not broadcast to the input's shape ${formatShape(input.shape)}`,
    );
  }
}

/**
 * Combines per-element losses as `reduction` says (`'batchmean'`: the sum
 * divided by the first dimension's size, or the sum for a 0-d loss).
 */
export function reduceLoss(loss: Tensor, reduction: KLDivReduction): Tensor {
  switch (reduction) {
    case 'none':
      return loss;
    case 'sum':
      return loss.sum();
    case 'mean':
      return loss.mean();
    case 'batchmean':
      return loss.ndim === 0 ? loss.sum() : loss.sum().div(loss.shape[0]!);
  }
}
