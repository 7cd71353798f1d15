/**
 * The optional training loop for Strata: `fit` / `evaluate`, `Dataset`,
 * `TensorDataset` and `DataLoader`, the IDX reader of MNIST and
 * Fashion-MNIST, metrics, callbacks (early stopping, checkpoints that resume
 * exactly, CSV/JSON loggers) and a progress bar. Node.js file helpers
 * (`loadIdxFile`, `loadFashionMnist`, checkpoint files) live in
 * `@strata/train/node`; importing it also lets the options that take a path
 * use files. This entry holds no Node.js code, so it bundles for browsers.
 *
 * @packageDocumentation
 */
// ---- data (dataset.ts, data-loader.ts) ----
export { type Collated, type Dataset, type RandomSplitOptions, Subset, TensorDataset, defaultCollate, randomSplit } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './data-loader.js';
// ---- IDX files, MNIST and Fashion-MNIST (idx.ts, mnist.ts) ----
export {
  type IdxArray,
  type IdxDType,
  type IdxDTypeArrayMap,
  type ReadIdxOptions,
  gunzip,
  isGzip,
  loadIdx,
  readIdx,
  writeIdx,
} from './idx.js';
export { FASHION_MNIST_CLASSES, type MnistDatasetOptions, mnistDataset } from './mnist.js';
// ---- metrics (metrics.ts) ----
export {
  Accuracy,
  ConfusionMatrix,
  type LossFunction,
  MeanLoss,
  type Metric,
  TopKAccuracy,
  formatConfusionMatrix,
  toLossFunction,
} from './metrics.js';
// ---- the loop (fit.ts, evaluate.ts) ----
export { type FitOptions, History, fit, validationKey, yieldToEventLoop } from './fit.js';
export { type EvaluateOptions, evaluate } from './evaluate.js';
// ---- callbacks (callback.ts, early-stopping.ts, model-checkpoint.ts, loggers.ts, progress.ts) ----
export type { BatchLogs, Callback, Logs, TrainOptimizer, TrainScheduler, TrainingRun } from './callback.js';
export { EarlyStopping, type EarlyStoppingOptions, type MonitorMode } from './early-stopping.js';
export { type CheckpointWriter, ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.js';
export { CsvLogger, type CsvLoggerOptions, JsonLogger, type TextWriter } from './loggers.js';
export { ProgressBar, type ProgressBarOptions, type ProgressStream, formatDuration, isCI } from './progress.js';
// ---- checkpoints (checkpoint.ts, state-codec.ts) ----
export {
  type Checkpoint,
  type CheckpointParts,
  type CheckpointTargets,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
} from './checkpoint.js';
export type { StateValue } from './state-codec.js';
