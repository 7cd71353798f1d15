import {
  type BackwardOptions,
  DTypeError,
  type GradientRecorder,
  type OperationAttributes,
  ShapeError,
  type Tensor,
  formatShape,
  isFloatingPoint,
  onesLike,
  shapesEqual,
  to,
} from '@strata/tensor';

import { runBackward } from './engine.js';
import { formulas } from './formulas/index.js';
import type { GradientFormula, OperationName } from './formulas/types.js';
import { type Edge, BackwardNode, edgeOf, outputIndexOf } from './graph.js';
import { OperationNode } from './operation-node.js';

function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(formulas, name);
}

/**
 * Records `name` as a node of the backward graph. An op without a formula is
 * still recorded (its output requires grad); backward through it says the
 * derivative is missing, like PyTorch's "derivative for ... is not implemented".
 */
function record(name: string, inputs: readonly Tensor[], output: Tensor, attributes: unknown): void {
  // Integer and bool results carry no gradient (argmax, comparisons).
  if (!isFloatingPoint(output.dtype)) return;
  const formula = isOperationName(name) ? (formulas[name] as GradientFormula<OperationName>) : undefined;
  const node = new OperationNode(name as OperationName, formula, inputs, output, attributes as OperationAttributes[OperationName]);
  node.attachOutput(output, 0);
}

/**
 * The edge and seed gradient of each tensor backward starts from.
 * @throws Error when a tensor does not require grad, or when a gradient is
 * missing for a tensor with more than one element.
 * @throws ShapeError when a gradient's shape differs from its tensor's.
 * @throws DTypeError when a gradient is not floating point.
 */
export function backwardRoots(
  operation: string,
  tensors: readonly Tensor[],
  gradients: readonly (Tensor | null | undefined)[],
): { roots: Edge[]; seeds: Tensor[] } {
  const roots: Edge[] = [];
  const seeds: Tensor[] = [];
  for (let i = 0; i < tensors.length; i++) {
    const tensor = tensors[i]!;
    const edge = edgeOf(tensor);
    if (edge === null) {
      throw new Error(`${operation}: element ${i} of tensors does not require grad and does not have a gradFn`);
    }
    const gradient = gradients[i] ?? null;
    let seed: Tensor;
    if (gradient === null) {
      if (tensor.numel() !== 1) {
        throw new Error(
          `${operation}: grad can be implicitly created only for scalar outputs (got a tensor of shape ${formatShape(tensor.shape)}); pass the gradient of the output`,
        );
      }
      seed = onesLike(tensor);
    } else {
      if (!shapesEqual(gradient.shape, tensor.shape)) {
        throw new ShapeError(
          `${operation}: mismatch in shape: the gradient has a shape of ${formatShape(gradient.shape)} and output ${i} has a shape of ${formatShape(tensor.shape)}`,
        );
      }
      if (!isFloatingPoint(gradient.dtype)) {
        throw new DTypeError(`${operation}: the gradient for output ${i} must be floating point, got ${gradient.dtype}`);
      }
      seed = gradient.dtype === tensor.dtype ? gradient : to(gradient, tensor.dtype);
    }
    roots.push(edge);
    seeds.push(seed);
  }
  return { roots, seeds };
}

function backward(tensor: Tensor, gradient: Tensor | null, options: BackwardOptions): void {
  const createGraph = options.createGraph ?? false;
  const { roots, seeds } = backwardRoots('backward', [tensor], [gradient]);
  runBackward(roots, seeds, { retainGraph: options.retainGraph ?? createGraph, createGraph });
}

/**
 * Moves `tensor` onto the node that produced `source`, as an in-place op's
 * history rebase does (`tensor` takes the out-of-place result's history).
 * Unlike a bare `setGradientNode`, the node then knows `tensor` as its
 * output, so hooks and `retainGrad()` on `tensor` see its gradient.
 */
function rebase(tensor: Tensor, source: Tensor): void {
  if (source.gradFn instanceof BackwardNode) source.gradFn.attachOutput(tensor, outputIndexOf(source));
  else tensor.setGradientNode(source.gradFn);
}

/** Lets the node that produced `tensor` find it again for its hooks and `retainGrad()`. */
function observe(tensor: Tensor): void {
  if (tensor.gradFn instanceof BackwardNode) tensor.gradFn.observeOutput(tensor);
}

/**
 * The recorder `@strata/autograd` installs into `@strata/tensor`. `rebase` is
 * for the in-place ops' history rebase (see {@link rebase}); `observe` for
 * tensors that gain hooks or retain their gradient.
 */
export const recorder: GradientRecorder = { record, backward, rebase, observe };
