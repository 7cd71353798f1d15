import type { Tensor } from './tensor.js';

import type { OperationAttributes } from './operation-attributes.js';

export type { OperationAttributes };

/** A node of the backward graph: what produced a tensor that requires grad. */
export interface GradientNode {
  /** The operation's name (`'add'`, `'conv2d'`, ...). */
  readonly name: string;
}

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /**
   * Keep the graph so backward can run through it again.
   * @defaultValue `false`
   */
  retainGraph?: boolean;
  /**
   * Record the backward pass itself, for higher-order gradients.
   * @defaultValue `false`
   */
  createGraph?: boolean;
}

/**
 * What `@strata/autograd` installs into the tensor package: it records
 * operations into a graph and runs backward through it. Without it, tensors
 * are forward-only.
 */
export interface GradientRecorder {
  /** Called after an operation whose inputs include one that requires grad. */
  record(name: string, inputs: readonly Tensor[], output: Tensor, attributes: unknown): void;
  /** Runs `tensor.backward(gradient, options)`. */
  backward(tensor: Tensor, gradient: Tensor | null, options: BackwardOptions): void;
  /**
   * Gives `tensor` the history of `source` after an in-place op wrote
   * `source`'s values into `tensor` (PyTorch's history rebase), so hooks and
   * `retainGrad()` on `tensor` see its gradient.
   */
  rebase(tensor: Tensor, source: Tensor): void;
  /**
   * Called when a non-leaf `tensor` gains a hook or starts to retain its
   * gradient, so the node that produced it can hand it its gradient (the graph
   * holds no other reference to its outputs).
   */
  observe(tensor: Tensor): void;
}

let recorder: GradientRecorder | null = null;
let gradEnabled = true;

/** Installs the gradient recorder (called by `@strata/autograd` once). */
export function installGradientRecorder(gradientRecorder: GradientRecorder): void {
  recorder = gradientRecorder;
}

/** The installed recorder, or `null` when `@strata/autograd` is not loaded. */
export function gradientRecorder(): GradientRecorder | null {
  return recorder;
}

/** Whether operations are recorded for backward now (`noGrad` turns it off). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Turns recording on or off, like `torch.set_grad_enabled`; returns the
 * previous state. `noGrad` and `enableGrad` from `@strata/autograd` scope it.
 * @throws TypeError when `enabled` is not a boolean.
 */
export function setGradEnabled(enabled: boolean): boolean {
  if (typeof enabled !== 'boolean') throw new TypeError(`setGradEnabled: expected a boolean, got ${typeof enabled}`);
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/**
 * Records an operation for backward when grad mode is on, a recorder is
 * installed and some input requires grad. Every differentiable op calls this
 * after computing its output.
 */
export function recordOperation<K extends keyof OperationAttributes>(
  name: K,
  inputs: readonly Tensor[],
  output: Tensor,
  attributes: OperationAttributes[K],
): void {
  if (recorder === null || !gradEnabled) return;
  for (const input of inputs) {
    if (input.requiresGrad) {
      recorder.record(name, inputs, output, attributes);
      return;
    }
  }
}
