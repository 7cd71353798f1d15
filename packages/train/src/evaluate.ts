import { noGrad } from '@strata/autograd';
import type { Module } from '@strata/module';
import { Tensor } from '@strata/tensor';
import type { Logs } from './callback.js';
import { type LossFunction, MeanLoss, type Metric, toLossFunction } from './metrics.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /**
   * The loss whose mean over the samples is reported as `loss`.
   * @defaultValue none (no `loss` in the result)
   */
  loss?: LossFunction | null;
  /**
   * Metrics to compute; each is reset first, and those with a number value
   * are reported under their `name`. Others (a confusion matrix) keep their
   * value for `compute()`.
   * @defaultValue none
   */
  metrics?: readonly Metric<unknown>[];
}

/**
 * The input and target of a batch: a batch is `[input, target, ...]`, as a
 * `DataLoader` over a `TensorDataset(inputs, targets)` yields.
 * @throws TypeError when the batch is not an array whose first two elements are tensors.
 */
export function splitBatch(batch: unknown, owner: string): [Tensor, Tensor] {
  if (!Array.isArray(batch) || batch.length < 2 || !(batch[0] instanceof Tensor) || !(batch[1] instanceof Tensor)) {
    const kind = Array.isArray(batch) ? `an array of ${batch.length} elements` : batch === null ? 'null' : typeof batch;
    throw new TypeError(`${owner}: each batch must be [input, target, ...] with two tensors first, got ${kind}`);
  }
  return [batch[0], batch[1]];
}

/**
 * Runs the model over a data set in evaluation mode without recording
 * gradients, like a PyTorch validation loop, and returns the mean loss and
 * the metrics. The model's training mode is restored afterwards.
 *
 * @example
 * ```ts
 * const confusion = new ConfusionMatrix(10);
 * const { loss, accuracy } = evaluate(model, testLoader, { loss: new CrossEntropyLoss(), metrics: [new Accuracy(), confusion] });
 * ```
 * @throws TypeError when a batch is not `[input, target, ...]`; whatever the model, loss or metrics throw.
 */
export function evaluate(model: Module, data: Iterable<unknown>, options: EvaluateOptions = {}): Logs {
  const lossFunction = options.loss === undefined || options.loss === null ? null : toLossFunction(options.loss);
  const metrics = options.metrics ?? [];
  const meanLoss = new MeanLoss();
  for (const metric of metrics) metric.reset();
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (const batch of data) {
        const [input, target] = splitBatch(batch, 'evaluate');
        const output = model.forward(input) as Tensor;
        if (lossFunction !== null) meanLoss.record(lossFunction(output, target).item(), input.shape[0] ?? 1);
        for (const metric of metrics) metric.update(output, target);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const logs: Logs = {};
  if (lossFunction !== null) logs.loss = meanLoss.compute();
  Object.assign(logs, numericMetrics(metrics));
  return logs;
}

/** The metrics whose value is a number, by name. */
export function numericMetrics(metrics: readonly Metric<unknown>[]): Logs {
  const logs: Logs = {};
  for (const metric of metrics) {
    const value = metric.compute();
    if (typeof value === 'number') logs[metric.name] = value;
  }
  return logs;
}
