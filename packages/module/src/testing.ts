/**
 * Test helpers for layer packages (the `@strata/module/testing` entry):
 * what a package's tests use to show that two ways of computing a layer
 * (a fused kernel and its default composed of forward ops, two backends)
 * train to the same numbers.
 *
 * @packageDocumentation
 */
import type { Tensor } from '@strata/tensor';
import type { Module } from './module.js';
import { withoutGrad } from './tensor-write.js';

/** What {@link sgdTrace} runs. */
export interface SgdTraceOptions {
  /** The layer's output for an input `x` (a view of the fixed input that requires grad). */
  forward: (layer: Module, x: Tensor) => Tensor;
  /** The scalar to minimize, from the output. */
  loss: (output: Tensor) => Tensor;
  /** The plain SGD step: `parameter -= learningRate · parameter.grad`. */
  learningRate: number;
  /**
   * How many steps to train.
   * @defaultValue 3
   */
  steps?: number;
}

/**
 * Trains `layer` by plain SGD on one fixed `input` and returns everything
 * the training computed, in order: per step the output, the input's
 * gradient and every parameter's gradient; then the final parameters. Two
 * runs that should agree (on a fused kernel and on its default, say)
 * compare these numbers with `maxRelativeDifference`.
 *
 * @example
 * ```ts
 * const trace = sgdTrace(new LSTM(3, 4), randn([5, 2, 3]), {
 *   forward: (layer, x) => (layer.forward(x) as [Tensor, unknown])[0],
 *   loss: (output) => output.mul(output.cos()).sum(),
 *   learningRate: 0.1,
 * });
 * ```
 * @throws Error when a parameter gets no gradient (the loss does not reach it).
 */
export function sgdTrace(layer: Module, input: Tensor, options: SgdTraceOptions): number[] {
  const record: number[] = [];
  const parameters = layer.parameters();
  for (let step = 0; step < (options.steps ?? 3); step++) {
    const x = input.clone().requiresGrad_();
    const output = options.forward(layer, x);
    options.loss(output).backward();
    record.push(...output.toTypedArray(), ...x.grad!.toTypedArray());
    withoutGrad(() => {
      for (const [index, parameter] of parameters.entries()) {
        if (parameter.grad === null) throw new Error(`sgdTrace: parameter ${index} got no gradient`);
        record.push(...parameter.grad.toTypedArray());
        parameter.sub_(parameter.grad.mul(options.learningRate));
        parameter.grad = null;
      }
    });
  }
  for (const parameter of parameters) record.push(...parameter.toTypedArray());
  return record;
}
