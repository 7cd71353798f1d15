/**
 * The checks of the class-index losses (`nllLoss`, and `crossEntropy` with
 * class indices), shared so the functional ops and the modules say the same
 * thing, and the layout their kernels read.
 */
import { DTypeError, ShapeError, type Tensor, formatShape } from '@strata/tensor';
import type { ClassIndexLayout } from './kernels/class-index.js';

/** The layout of a checked class-index call and the shape of its `'none'` output (the target's). */
export interface ClassIndexGeometry {
  readonly layout: ClassIndexLayout;
  readonly outputShape: readonly number[];
}

/** The target shape an input calls for: `[N, d1, …, dk]` for `[N, C, d1, …, dk]`, `[]` for `[C]`. */
export function targetShapeFor(input: Tensor): readonly number[] {
  return input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
}

/**
 * Checks the input's rank and the target's dtype and shape, and returns the layout.
 * @throws ShapeError `nllLoss: expected input of shape [C], [N, C] or [N, C, d1, ..., dk], got []`
 * @throws DTypeError `nllLoss: expected target of dtype int32 (class indices), got float32`
 * @throws ShapeError `nllLoss: expected target of shape [2, 5] for input of shape [2, 3, 5], got [2, 4]`
 */
export function classIndexGeometry(name: string, input: Tensor, target: Tensor): ClassIndexGeometry {
  if (input.ndim === 0) {
    throw new ShapeError(`${name}: expected input of shape [C], [N, C] or [N, C, d1, ..., dk], got ${formatShape(input.shape)}`);
  }
  if (target.dtype !== 'int32') throw new DTypeError(`${name}: expected target of dtype int32 (class indices), got ${target.dtype}`);
  const expected = targetShapeFor(input);
  if (target.ndim !== expected.length || target.shape.some((size, d) => size !== expected[d])) {
    throw new ShapeError(
      `${name}: expected target of shape ${formatShape(expected)} for input of shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  const classes = input.ndim === 1 ? input.shape[0]! : input.shape[1]!;
  const batch = input.ndim === 1 ? 1 : input.shape[0]!;
  const inner = input.shape.slice(2).reduce((product, size) => product * size, 1);
  return { layout: Object.freeze({ batch, classes, inner }), outputShape: expected };
}

/**
 * Checks the per-class weight against the input: its dtype and one element per class.
 * @throws DTypeError `crossEntropy: expected weight of dtype float32 (the input's), got float64`
 * @throws ShapeError `crossEntropy: expected a weight with one element per class (10), got shape [5]`
 */
export function checkClassWeight(name: string, weight: Tensor | null, input: Tensor, classes: number): void {
  if (weight === null) return;
  if (weight.dtype !== input.dtype) {
    throw new DTypeError(`${name}: expected weight of dtype ${input.dtype} (the input's), got ${weight.dtype}`);
  }
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new ShapeError(`${name}: expected a weight with one element per class (${classes}), got shape ${formatShape(weight.shape)}`);
  }
}

/**
 * Checks every target is a class index (or `ignoreIndex`), before any work.
 * @throws RangeError `CrossEntropyLoss: target 12 is out of bounds for 10 classes`
 */
export function checkClassTargets(name: string, target: Tensor, classes: number, ignoreIndex: number): void {
  const targets = target.contiguousData() as Int32Array;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if ((t < 0 || t >= classes) && t !== ignoreIndex) {
      throw new RangeError(`${name}: target ${t} is out of bounds for ${classes} classes`);
    }
  }
}
