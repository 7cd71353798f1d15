import type { Tensor } from '@strata/tensor';

import { runBackward } from './engine.js';
import { type Edge, BackwardNode, existingAccumulatorOf, outputIndexOf } from './graph.js';
import { backwardRoots } from './recorder.js';

/** Options of {@link grad}. */
export interface GradOptions {
  /**
   * Keep the graph so backward can run through it again.
   * @defaultValue `createGraph`
   */
  retainGraph?: boolean;
  /**
   * Record the computation of the gradients, so they can be differentiated
   * again (higher-order derivatives).
   * @defaultValue `false`
   */
  createGraph?: boolean;
  /**
   * Return `null` for an input the outputs do not depend on, instead of
   * throwing.
   * @defaultValue `false`
   */
  allowUnused?: boolean;
}

/**
 * The gradients of `outputs` with respect to `inputs`, like
 * `torch.autograd.grad`: returned (one per input, in order) rather than
 * accumulated into `grad`. `gradOutputs` holds the gradient of each output
 * (`null` for a one-element output, whose gradient is 1). Only the part of
 * the graph between the outputs and the inputs runs.
 *
 * @throws Error when an input does not require grad, when an output does not
 * require grad, when an input was not used (unless `allowUnused`), or when a
 * gradient is missing or has the wrong shape (see `Tensor.backward`).
 *
 * @example
 * ```ts
 * const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
 * const [dx] = grad(x.pow(3).sum(), x, null, { createGraph: true }); // 3x²
 * const [dx2] = grad(dx.sum(), x);                                   // 6x
 * ```
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  gradOutputs?: Tensor | readonly (Tensor | null)[] | null,
  options?: GradOptions & { allowUnused?: false },
): Tensor[];
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  gradOutputs: Tensor | readonly (Tensor | null)[] | null | undefined,
  options: GradOptions,
): (Tensor | null)[];
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  gradOutputs: Tensor | readonly (Tensor | null)[] | null = null,
  options: GradOptions = {},
): (Tensor | null)[] {
  const outputList = asList(outputs);
  const inputList = asList(inputs);
  const gradientList = gradOutputs === null || gradOutputs === undefined ? [] : asList(gradOutputs);
  if (gradientList.length > 0 && gradientList.length !== outputList.length) {
    throw new Error(`grad: got ${gradientList.length} gradOutputs for ${outputList.length} outputs`);
  }
  const createGraph = options.createGraph ?? false;
  const { roots, seeds } = backwardRoots('grad', outputList, gradientList);
  const captures = inputList.map((input, i) => captureEdge(input, i));
  const results = runBackward(roots, seeds, { retainGraph: options.retainGraph ?? createGraph, createGraph, captures });
  if (options.allowUnused !== true) {
    const unused = results.indexOf(null);
    if (unused >= 0) {
      throw new Error(
        `grad: one of the differentiated tensors (input ${unused}) appears to not have been used in the graph; set allowUnused: true if this is the desired behavior`,
      );
    }
  }
  return results;
}

/**
 * The edge whose gradient is the gradient of `input`: its producing node's
 * output, or its leaf accumulator. A leaf never used in a graph gets a
 * placeholder edge that nothing reaches.
 */
function captureEdge(input: Tensor, position: number): Edge {
  if (!input.requiresGrad) {
    throw new Error(`grad: one of the differentiated tensors (input ${position}) does not require grad`);
  }
  if (input.gradFn instanceof BackwardNode) return { node: input.gradFn, index: outputIndexOf(input) };
  return { node: existingAccumulatorOf(input) ?? unusedNode, index: 0 };
}

class UnusedNode extends BackwardNode {
  constructor() {
    super('unused', [], 1);
  }

  apply(): readonly (Tensor | null)[] {
    return [];
  }

  release(): void {}
}

const unusedNode = new UnusedNode();

function asList<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}
