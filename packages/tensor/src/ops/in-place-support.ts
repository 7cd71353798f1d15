import { type DType, isFloatingPoint } from '../dtype.js';
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { gradientRecorder, isGradEnabled } from '../gradient-recording.js';
import { copyIntoKernel, fillKernel } from '../kernels/in-place.js';
import { getKernel, registerKernel } from '../registry.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { clone, to } from './cast.js';
import { checkTensor } from '../checks.js';

// The machinery every in-place op shares: validation (shapes, dtypes,
// autograd's rules), the write into the tensor's own storage, the version
// bump, and the history rebase that records an in-place op for autograd.

/** @throws TypeError unless `self` is a Tensor. */
export function checkSelf(op: string, self: unknown): asserts self is Tensor {
  checkTensor(op, 'self', self);
}

/**
 * Whether PyTorch's `can_cast` allows writing `from` values into a `to`
 * tensor: no floating point into integers or bool, nothing but bool into bool.
 */
function canCast(from: DType, to: DType): boolean {
  if (isFloatingPoint(from) && !isFloatingPoint(to)) return false;
  if (from !== 'bool' && to === 'bool') return false;
  return true;
}

/** @throws DTypeError when the op's result dtype can't be written into `self`. */
export function checkCastable(op: string, resultDType: DType, self: Tensor): void {
  if (!canCast(resultDType, self.dtype)) {
    throw new DTypeError(`${op}: result type ${resultDType} can't be cast to the desired output type ${self.dtype}`);
  }
}

/**
 * Checks that the operands broadcast with `self` to exactly `self`'s shape:
 * an in-place op can't grow its tensor.
 * @throws ShapeError naming the op and both shapes.
 */
export function checkBroadcastInto(op: string, self: Tensor, shapes: readonly (readonly number[])[]): void {
  let shape: readonly number[] = self.shape;
  for (const operandShape of shapes) shape = broadcastShapes(shape, operandShape, op);
  if (!shapesEqual(shape, self.shape)) {
    throw new ShapeError(`${op}: output with shape ${formatShape(self.shape)} doesn't match the broadcast shape ${formatShape(shape)}`);
  }
}

/**
 * An expanded view (stride 0 on a dimension of size > 1) reads one storage
 * element at several positions; writing it in place would be ambiguous.
 * @throws ShapeError naming the op.
 */
function checkNoInternalOverlap(op: string, self: Tensor): void {
  // An empty tensor has no elements to alias, whatever its strides say.
  if (self.numel() === 0) return;
  for (let d = 0; d < self.ndim; d++) {
    if (self.shape[d]! > 1 && self.strides[d] === 0) {
      throw new ShapeError(
        `${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location (an expanded view of shape ${formatShape(self.shape)} and strides ${formatShape(self.strides)}); clone() it first`,
      );
    }
  }
}

/**
 * Autograd's rules for in-place ops in grad mode, checked before anything is
 * written. Returns whether the op must be recorded (by history rebase).
 *
 * - A leaf that requires grad can't be changed in place (its gradient would
 *   describe values it no longer holds); use `noGrad` for such updates.
 * - A view can't be changed in place when the change would need recording
 *   (the view or an operand requires grad): its base's history would have to
 *   be rewritten too, which Strata does not do. A tensor from `detach()` is
 *   outside the graph, so it may be changed, as in PyTorch.
 *
 * @throws Error for a leaf that requires grad, or a view in the graph.
 */
function checkGradientRules(op: string, self: Tensor, operands: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  if (self.isLeaf && self.requiresGrad) {
    throw new Error(`${op}: a leaf Variable that requires grad is being used in an in-place operation.`);
  }
  const recorderInstalled = gradientRecorder() !== null;
  const operandRequiresGrad = operands.some((operand) => operand.requiresGrad);
  if (self.base !== null && (self.requiresGrad || (recorderInstalled && operandRequiresGrad))) {
    throw new Error(
      `${op}: in-place operations on views of tensors that require grad are not supported in grad mode; use an out-of-place op, or run it inside noGrad()`,
    );
  }
  return recorderInstalled && isFloatingPoint(self.dtype) && (self.requiresGrad || operandRequiresGrad);
}

/** Writes `values` (a tensor of `self`'s shape) into `self`, converting to `self`'s dtype, with the `copyInto` kernel. */
export function writeInto(self: Tensor, values: Tensor): void {
  getKernel('copyInto')(self, values);
}

registerKernel('copyInto', copyIntoKernel);
registerKernel('fill', fillKernel);

/** One in-place op, as `runInPlace` carries it out. */
export interface InPlacePlan {
  /** The op's name, for error messages (`'add_'`). */
  op: string;
  /** The tensor operands, which may carry gradients. */
  operands: readonly Tensor[];
  /**
   * The op done out of place on `input` (`self`, or its clone when recording):
   * recorded normally when gradients flow. For ops that overwrite (fills,
   * random draws) it only has to build the gradient's path.
   */
  outOfPlace: (input: Tensor) => Tensor;
  /**
   * Writes the new values straight into `self`'s storage when it can (the
   * contiguous fast paths, the fills); returns `false` to fall back to
   * computing `outOfPlace(self)` and writing that.
   */
  write?: () => boolean;
  /** Whether `outOfPlace`'s values are the new values; `false` when `write` always writes them. */
  outOfPlaceGivesValues: boolean;
}

/**
 * Carries out an in-place op on `self` after its own validation: autograd's
 * rules, the overlap check, the write, the version bump. When gradients
 * flow, the op is recorded by history rebase: `outOfPlace(clone(self))` is
 * computed with the recorded out-of-place ops, its values are written into
 * `self`, and `self` takes the result's backward node, so the graph runs
 * through the clone to `self`'s old history.
 */
export function runInPlace(self: Tensor, plan: InPlacePlan): Tensor {
  const record = checkGradientRules(plan.op, self, plan.operands);
  checkNoInternalOverlap(plan.op, self);
  if (record) {
    const cloned = clone(self);
    let result = plan.outOfPlace(cloned);
    if (result.dtype !== self.dtype) result = to(result, self.dtype);
    if (plan.outOfPlaceGivesValues) writeInto(self, result);
    else plan.write!();
    self.storage.version++;
    gradientRecorder()!.rebase(self, result);
    return self;
  }
  if (plan.write === undefined || !plan.write()) writeInto(self, plan.outOfPlace(self));
  self.storage.version++;
  return self;
}

/** `operand`, or `replacement` when `operand` is `self` (so a rebased graph reads the clone, not the overwritten tensor). */
export function substitute<T>(operand: T, self: Tensor, replacement: Tensor): T | Tensor {
  return operand === self ? replacement : operand;
}
