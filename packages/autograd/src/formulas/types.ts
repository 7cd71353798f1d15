import type { DType, OperationAttributes, Tensor } from '@strata/tensor';

/** The name of an operation `@strata/tensor` records. */
export type OperationName = keyof OperationAttributes;

/** What a recorded operation saw: handed to a formula's `save`. */
export interface RecordedOperation<K extends OperationName> {
  /** The operation's tensor inputs, in the order the op recorded them. */
  readonly inputs: readonly Tensor[];
  /** The operation's result. */
  readonly output: Tensor;
  /** The op's attributes (`OperationAttributes[K]`). */
  readonly attributes: OperationAttributes[K];
}

/** What a formula's `backward` gets besides the output gradient. */
export interface GradientContext<K extends OperationName> {
  /** The op's attributes (`OperationAttributes[K]`). */
  readonly attributes: OperationAttributes[K];
  /** The tensors `save` returned, checked against in-place modification. */
  readonly saved: readonly Tensor[];
  /** The shape of each input at record time. */
  readonly inputShapes: readonly (readonly number[])[];
  /** The dtype of each input at record time. */
  readonly inputDTypes: readonly DType[];
  /** Whether each input needs a gradient: formulas may skip the others (return `null`). */
  readonly needsInputGrad: readonly boolean[];
  /**
   * Whether the backward pass alone holds `gradOutput` (no hook, `grad()`
   * result or other path has it, and no graph is being built): the formula
   * may then write its result into it and return it, saving a new array.
   * @defaultValue `false`
   */
  readonly gradOutputIsOwned?: boolean;
}

/**
 * The derivative of one operation, written with forward tensor ops so that
 * every backend with the forward kernels can train, and so that a backward
 * run with grad mode on (`createGraph`) records a graph of its own.
 *
 * The engine reduces nothing for a formula: each returned gradient must have
 * its input's shape (broadcast gradients are summed back with `sumToShape`).
 * It does cast a gradient to its input's dtype.
 */
export interface GradientFormula<K extends OperationName> {
  /**
   * The tensors `backward` will need, picked from the inputs, the output and
   * the attributes when the op is recorded. Their storage versions are kept,
   * and backward refuses to run if an in-place op changed them since.
   */
  save?(operation: RecordedOperation<K>): readonly Tensor[];
  /** The gradient of each input (in recorded order; `null` where none flows) from the output's. */
  backward(gradOutput: Tensor, context: GradientContext<K>): readonly (Tensor | null | undefined)[];
}

/** One formula for every recorded operation: a missing one is a type error. */
export type GradientFormulas = { readonly [K in OperationName]: GradientFormula<K> };
