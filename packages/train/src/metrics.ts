import { ShapeError, type Tensor, formatShape } from '@strata/tensor';

/**
 * A quantity accumulated over batches, like torchmetrics' `Metric`:
 * `update` with each batch's model output and target, `compute` the value
 * over everything seen since the last `reset`. `fit` and `evaluate` reset,
 * update and compute the metrics they are given; a metric whose value is a
 * number appears in the logs under its `name`.
 */
export interface Metric<Value = number> {
  /** The key of the metric in the logs (`'accuracy'`); validation logs prefix it (`'valAccuracy'`). */
  readonly name: string;
  /** Adds one batch: the model's output and the target. */
  update(output: Tensor, target: Tensor): void;
  /** The value over every batch since the last `reset` (`NaN` when there was none, for a number). */
  compute(): Value;
  /** Forgets every batch. */
  reset(): void;
}

/**
 * The predicted class of each row of `[N, C]` scores and the true class of
 * each target (class indices `[N]`, or `[N, C]` probabilities / one-hot rows
 * whose largest entry is the class).
 */
interface ClassRows {
  rows: number;
  classes: number;
  scores: ArrayLike<number>;
  targets: Int32Array;
}

function classRows(output: Tensor, target: Tensor, owner: string): ClassRows {
  if (output.ndim !== 2) {
    throw new ShapeError(`${owner}: expected output of shape [N, C] (class scores), got ${formatShape(output.shape)}`);
  }
  const [rows, classes] = output.shape as [number, number];
  const sameRows = target.shape[0] === rows;
  const indexTarget = target.ndim === 1 && sameRows;
  const probabilityTarget = target.ndim === 2 && sameRows && target.shape[1] === classes;
  if (!indexTarget && !probabilityTarget) {
    throw new ShapeError(
      `${owner}: expected target of shape [${rows}] (class indices) or [${rows}, ${classes}] (probabilities) for output ${formatShape(output.shape)}, ` +
        `got ${formatShape(target.shape)}`,
    );
  }
  const scores = output.contiguousData();
  const targets = new Int32Array(rows);
  const targetData = target.contiguousData();
  if (indexTarget) {
    for (let row = 0; row < rows; row++) {
      const label = targetData[row]!;
      if (!Number.isInteger(label) || label < 0 || label >= classes) {
        throw new RangeError(`${owner}: target ${label} at index ${row} is out of range for ${classes} classes`);
      }
      targets[row] = label;
    }
  } else {
    for (let row = 0; row < rows; row++) targets[row] = argmaxRow(targetData, row * classes, classes);
  }
  return { rows, classes, scores, targets };
}

/** The index of the largest entry of `values[start, start + count)`; the first one on ties, NaN counting as largest (as `argmax`). */
function argmaxRow(values: ArrayLike<number>, start: number, count: number): number {
  let best = 0;
  let bestValue = values[start]!;
  for (let j = 1; j < count; j++) {
    const value = values[start + j]!;
    if (value > bestValue || (Number.isNaN(value) && !Number.isNaN(bestValue))) {
      best = j;
      bestValue = value;
    }
  }
  return best;
}

/**
 * The fraction of samples whose highest-scoring class is the target class.
 * Output `[N, C]` (logits or probabilities); target `[N]` class indices or
 * `[N, C]` probabilities (their largest entry counts as the class).
 *
 * @example
 * ```ts
 * const accuracy = new Accuracy();
 * accuracy.update(tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([1, 1], { dtype: 'int32' }));
 * accuracy.compute(); // 0.5
 * ```
 * @throws ShapeError (from `update`) when the shapes do not fit; RangeError when a target class is out of range.
 */
export class Accuracy implements Metric {
  readonly name: string;
  private correct = 0;
  private total = 0;

  constructor(name = 'accuracy') {
    this.name = name;
  }

  update(output: Tensor, target: Tensor): void {
    const { rows, classes, scores, targets } = classRows(output, target, 'Accuracy');
    let correct = 0;
    for (let row = 0; row < rows; row++) if (argmaxRow(scores, row * classes, classes) === targets[row]) correct++;
    this.correct += correct;
    this.total += rows;
  }

  compute(): number {
    return this.total === 0 ? Number.NaN : this.correct / this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/**
 * The fraction of samples whose target class is among the `k` highest
 * scores. A tie with the k-th score counts in the sample's favour (the
 * target is counted when fewer than `k` classes score strictly higher).
 *
 * @example
 * ```ts
 * const top2 = new TopKAccuracy(2); // name 'top2Accuracy'
 * ```
 * @throws RangeError when `k` is not a positive integer; from `update`, when `k` exceeds the number of classes.
 */
export class TopKAccuracy implements Metric {
  readonly name: string;
  /**
   * How many of the highest-scoring classes may hold the target
   * for a sample to count as correct (a positive integer).
   */
  readonly k: number;
  private correct = 0;
  private total = 0;

  constructor(k: number, name = `top${k}Accuracy`) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`TopKAccuracy: k must be a positive integer, got ${k}`);
    this.k = k;
    this.name = name;
  }

  /**
   * Adds one batch: output `[N, C]` scores, target `[N]` class indices or `[N, C]` probabilities.
   * @throws ShapeError when the shapes do not fit.
   * @throws RangeError when `k` exceeds the number of classes or a target class is out of range.
   */
  update(output: Tensor, target: Tensor): void {
    const { rows, classes, scores, targets } = classRows(output, target, 'TopKAccuracy');
    if (this.k > classes) throw new RangeError(`TopKAccuracy: k = ${this.k} exceeds the number of classes ${classes}`);
    let correct = 0;
    for (let row = 0; row < rows; row++) {
      const start = row * classes;
      const targetScore = scores[start + targets[row]!]!;
      let higher = 0;
      for (let j = 0; j < classes; j++) if (scores[start + j]! > targetScore) higher++;
      if (higher < this.k && !Number.isNaN(targetScore)) correct++;
    }
    this.correct += correct;
    this.total += rows;
  }

  compute(): number {
    return this.total === 0 ? Number.NaN : this.correct / this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/**
 * Counts of (true class, predicted class) pairs: `compute()[i][j]` is the
 * number of samples of class `i` predicted as class `j` (rows are the truth,
 * as in scikit-learn and torchmetrics). Its value is a matrix, so it stays
 * out of the logs; read it with `compute()` after `fit` or `evaluate`.
 *
 * @example
 * ```ts
 * const confusion = new ConfusionMatrix(10);
 * evaluate(model, testLoader, { metrics: [confusion] });
 * console.log(formatConfusionMatrix(confusion.compute(), FASHION_MNIST_CLASSES));
 * ```
 * @throws RangeError when `numClasses` is not a positive integer; from `update`, when the output's class count differs.
 */
export class ConfusionMatrix implements Metric<number[][]> {
  readonly name: string;
  /** The number of classes C: the matrix is C × C and the output must be `[N, C]`. */
  readonly numClasses: number;
  private counts: Float64Array;

  constructor(numClasses: number, name = 'confusionMatrix') {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`ConfusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
    this.numClasses = numClasses;
    this.name = name;
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one batch: each sample counts once at (its target class, its highest-scoring class).
   * @throws ShapeError when the output is not `[N, numClasses]` or the target does not fit.
   * @throws RangeError when a target class is out of range.
   */
  update(output: Tensor, target: Tensor): void {
    const { rows, classes, scores, targets } = classRows(output, target, 'ConfusionMatrix');
    if (classes !== this.numClasses) {
      throw new ShapeError(`ConfusionMatrix: expected output with ${this.numClasses} classes (shape [N, ${this.numClasses}]), got ${formatShape(output.shape)}`);
    }
    for (let row = 0; row < rows; row++) this.counts[targets[row]! * classes + argmaxRow(scores, row * classes, classes)]!++;
  }

  compute(): number[][] {
    const n = this.numClasses;
    return Array.from({ length: n }, (_, row) => Array.from(this.counts.subarray(row * n, (row + 1) * n)));
  }

  reset(): void {
    this.counts.fill(0);
  }
}

/**
 * The mean of a loss over samples: each batch's loss (a mean over the
 * batch, as PyTorch's losses reduce by default) weighted by the batch's
 * size, so unequal last batches count right.
 *
 * @example
 * ```ts
 * const meanLoss = new MeanLoss(new CrossEntropyLoss());
 * ```
 */
export class MeanLoss implements Metric {
  readonly name: string;
  private readonly loss: ((output: Tensor, target: Tensor) => Tensor) | null;
  private sum = 0;
  private count = 0;

  /** `loss` computes a batch's loss in `update`; without one, feed values with `record`. */
  constructor(loss: LossFunction | null = null, name = 'loss') {
    this.loss = loss === null ? null : toLossFunction(loss);
    this.name = name;
  }

  /**
   * Adds one batch: computes its loss with the constructor's loss function
   * and records it over the batch's size (`output.shape[0]`).
   * @throws Error when the metric was made without a loss function (use `record` then).
   */
  update(output: Tensor, target: Tensor): void {
    if (this.loss === null) throw new Error('MeanLoss: update needs a loss function (new MeanLoss(loss)); without one, call record(value, count)');
    this.record(this.loss(output, target).item(), output.shape[0] ?? 1);
  }

  /** Adds a batch's (mean) loss `value` over `count` samples. */
  record(value: number, count: number): void {
    this.sum += value * count;
    this.count += count;
  }

  compute(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
}

/** A loss: a function of (output, target), or a module whose `forward(output, target)` is one (`CrossEntropyLoss`). */
export type LossFunction = ((output: Tensor, target: Tensor) => Tensor) | { forward(output: Tensor, target: Tensor): Tensor };

/**
 * The callable form of a {@link LossFunction}.
 * @throws TypeError when `loss` is neither a function nor an object with a `forward` method.
 */
export function toLossFunction(loss: LossFunction): (output: Tensor, target: Tensor) => Tensor {
  if (typeof loss === 'function') return loss;
  if (loss !== null && typeof loss === 'object' && typeof loss.forward === 'function') return (output, target) => loss.forward(output, target);
  throw new TypeError('loss must be a function (output, target) => Tensor or a module with forward(output, target)');
}

/**
 * A confusion matrix as a text table, rows the true classes and columns the
 * predicted ones, with each row's recall (the diagonal share) at the end.
 */
export function formatConfusionMatrix(matrix: readonly (readonly number[])[], labels?: readonly string[]): string {
  const n = matrix.length;
  const names = Array.from({ length: n }, (_, i) => labels?.[i] ?? String(i));
  const rowNames = names.map((name, i) => `${i} ${name}`);
  const nameWidth = Math.max(...rowNames.map((name) => name.length), 'true \\ predicted'.length);
  const cellWidth = Math.max(4, ...matrix.flat().map((count) => String(count).length));
  const header = `${'true \\ predicted'.padEnd(nameWidth)} ${names.map((_, i) => String(i).padStart(cellWidth)).join(' ')}  recall`;
  const lines = matrix.map((row, i) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    const recall = total === 0 ? '   —' : (row[i]! / total).toFixed(3);
    return `${rowNames[i]!.padEnd(nameWidth)} ${row.map((count) => String(count).padStart(cellWidth)).join(' ')}  ${recall}`;
  });
  return [header, ...lines].join('\n');
}
