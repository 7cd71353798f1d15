import type { Module } from '@strata/module';
import { Generator, type Tensor, defaultGenerator } from '@strata/tensor';
import type { BatchLogs, Callback, Logs, TrainOptimizer, TrainScheduler, TrainingRun } from './callback.js';
import { type Checkpoint, decodeCheckpoint, loadCheckpoint } from './checkpoint.js';
import { evaluate, numericMetrics, splitBatch } from './evaluate.js';
import { readBytes } from './files.js';
import { type LossFunction, MeanLoss, type Metric, toLossFunction } from './metrics.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { ProgressBar, type ProgressBarOptions } from './progress.js';

/** Options of {@link fit}. */
export interface FitOptions {
  /** The training batches, `[input, target, ...]` each: a `DataLoader`, or any iterable that can be iterated once per epoch. */
  train: Iterable<unknown>;
  /**
   * Batches evaluated after each epoch (in evaluation mode, without
   * gradients); their loss and metrics appear in the logs as `valLoss`,
   * `valAccuracy`, ...
   * @defaultValue none
   */
  validation?: Iterable<unknown> | null;
  /** The loss: a function `(output, target) => Tensor`, or a loss module (`new CrossEntropyLoss()`). */
  loss: LossFunction;
  /** The optimizer (`new Adam(model.parameters(), { lr: 1e-3 })`). */
  optimizer: TrainOptimizer;
  /**
   * A learning-rate scheduler, stepped after each epoch (or each batch, see `schedulerStep`).
   * @defaultValue none
   */
  scheduler?: TrainScheduler | null;
  /**
   * When the scheduler steps: after each epoch, or after each optimizer step
   * (for schedules counted in steps, like `OneCycleLR`).
   * @defaultValue `'epoch'`
   */
  schedulerStep?: 'epoch' | 'batch';
  /**
   * The number of epochs the run ends after (a resumed run counts the epochs before its checkpoint).
   * @defaultValue 1
   */
  epochs?: number;
  /**
   * Metrics computed over each epoch's training batches and, separately, over the validation batches.
   * @defaultValue none
   */
  metrics?: readonly Metric<unknown>[];
  /**
   * Hooks called during the run (early stopping, checkpoints, loggers).
   * @defaultValue none
   */
  callbacks?: readonly Callback[];
  /**
   * A checkpoint to go on from (a path, its bytes, or a decoded one): the
   * model, optimizer, scheduler, generators, history and callback states are
   * restored, and training starts at the epoch after the checkpoint's. A
   * path needs `import '@strata/train/node'` (Node.js's file system).
   * @defaultValue none
   */
  resumeFrom?: string | Uint8Array | Checkpoint | null;
  /**
   * The progress bar: `true` for one on standard output (plain lines when
   * it is not a terminal or `CI` is set), `false` for none, or its options.
   * @defaultValue true
   */
  progress?: boolean | ProgressBarOptions;
}

/** What {@link fit} returns: the logs of every epoch (of the whole run, when resumed). */
export class History {
  /** One entry per finished epoch: `epoch` (from 0), `loss`, the metrics, `val…` figures, `lr`, `seconds`. */
  readonly epochs: readonly Logs[];
  /** Whether a callback (early stopping) ended the run before `epochs`. */
  readonly stoppedEarly: boolean;

  constructor(epochs: readonly Logs[], stoppedEarly: boolean) {
    this.epochs = epochs;
    this.stoppedEarly = stoppedEarly;
  }

  /** One figure over the epochs, e.g. `history.series('valAccuracy')` (`NaN` where an epoch lacks it). */
  series(name: string): number[] {
    return this.epochs.map((logs) => logs[name] ?? Number.NaN);
  }

  /** The logs of the last epoch, if any. */
  get last(): Logs | undefined {
    return this.epochs[this.epochs.length - 1];
  }
}

/** The figures of a validation pass as they go into the epoch's logs: `loss` → `valLoss`. */
export function validationKey(name: string): string {
  return `val${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

interface MutableRun extends TrainingRun {
  epoch: number;
  batch: number;
  globalStep: number;
  history: Logs[];
}

function checkOptions(model: Module, options: FitOptions): { epochs: number; schedulerStep: 'epoch' | 'batch' } {
  if (model === null || typeof model !== 'object' || typeof (model as { forward?: unknown }).forward !== 'function') {
    throw new TypeError('fit: model must be a Module');
  }
  if (options.train === null || typeof (options.train as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
    throw new TypeError('fit: train must be an iterable of batches (a DataLoader)');
  }
  const optimizer = options.optimizer as Partial<TrainOptimizer> | undefined;
  if (typeof optimizer?.step !== 'function' || typeof optimizer.zeroGrad !== 'function') {
    throw new TypeError('fit: optimizer must have step() and zeroGrad() (an Optimizer of @strata/optim)');
  }
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  const schedulerStep = options.schedulerStep ?? 'epoch';
  if (schedulerStep !== 'epoch' && schedulerStep !== 'batch') {
    throw new RangeError(`fit: schedulerStep must be 'epoch' or 'batch', got ${JSON.stringify(schedulerStep)}`);
  }
  return { epochs, schedulerStep };
}

/** The generators whose states decide the rest of a run: the default one, and the training loader's own. */
function runGenerators(train: Iterable<unknown>): Record<string, Generator> {
  const generators: Record<string, Generator> = { default: defaultGenerator };
  const own = (train as { generator?: unknown }).generator;
  if (own instanceof Generator && own !== defaultGenerator) generators.loader = own;
  return generators;
}

/**
 * Lets the current macrotask end, so that a long epoch keeps the process
 * responsive (Ctrl-C, timers, a browser's page). An awaited resolved promise
 * does not end a task; this waits for the next turn of the event loop.
 * Memory does not need it: the graph frees each step's saved tensors when
 * `backward` has run.
 */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = globalThis as { setImmediate?: (callback: () => void) => unknown };
  if (typeof scheduler.setImmediate === 'function') return new Promise((resolve) => scheduler.setImmediate!(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function loadResume(source: string | Uint8Array | Checkpoint): Promise<Checkpoint> {
  if (typeof source === 'string') return decodeCheckpoint(await readBytes(source, 'fit'));
  return source instanceof Uint8Array ? decodeCheckpoint(source) : source;
}

/**
 * Trains a model, the loop a PyTorch user writes by hand, with the chores
 * done: for each epoch, for each batch, forward, loss, `zeroGrad`,
 * `backward`, `step`; the scheduler stepped; the mean loss and the metrics
 * over the epoch; a validation pass; callbacks (early stopping, checkpoints,
 * loggers) and a progress bar. Optional: everything it does can be written
 * by hand with an optimizer.
 *
 * @example
 * ```ts
 * const history = await fit(model, {
 *   train: new DataLoader(trainSet, { batchSize: 64, shuffle: true }),
 *   validation: new DataLoader(testSet, { batchSize: 1000 }),
 *   loss: new CrossEntropyLoss(),
 *   optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
 *   epochs: 3,
 *   metrics: [new Accuracy()],
 *   callbacks: [new EarlyStopping({ monitor: 'valLoss', patience: 2 }), new ModelCheckpoint('run.safetensors')],
 * });
 * history.series('valAccuracy'); // [0.85, 0.88, 0.89]
 * ```
 * @throws TypeError or RangeError for invalid options (before anything runs); whatever the model, loss,
 * optimizer or callbacks throw.
 */
export async function fit(model: Module, options: FitOptions): Promise<History> {
  const { epochs, schedulerStep } = checkOptions(model, options);
  const lossFunction = toLossFunction(options.loss);
  const optimizer = options.optimizer;
  const scheduler = options.scheduler ?? null;
  const metrics = options.metrics ?? [];
  const userCallbacks = options.callbacks ?? [];
  const progress = options.progress ?? true;
  const progressCallbacks: Callback[] = progress === false ? [] : [new ProgressBar(progress === true ? {} : progress)];
  // Checkpoints go last, so that they save the other callbacks' state after this epoch's update.
  const ordered: Callback[] = [
    ...progressCallbacks,
    ...userCallbacks.filter((callback) => !(callback instanceof ModelCheckpoint)),
    ...userCallbacks.filter((callback) => callback instanceof ModelCheckpoint),
  ];
  const generators = runGenerators(options.train);
  const stepsPerEpoch = (options.train as { length?: unknown }).length;

  let initialEpoch = 0;
  let globalStep = 0;
  let history: Logs[] = [];
  if (options.resumeFrom !== undefined && options.resumeFrom !== null) {
    const checkpoint = loadCheckpoint(await loadResume(options.resumeFrom), { model, optimizer, scheduler, generators, callbacks: userCallbacks });
    initialEpoch = checkpoint.epoch;
    globalStep = checkpoint.globalStep;
    history = [...checkpoint.history];
  }

  const run: MutableRun = {
    model,
    optimizer,
    scheduler,
    epochs,
    epoch: initialEpoch,
    initialEpoch,
    stepsPerEpoch: typeof stepsPerEpoch === 'number' ? stepsPerEpoch : null,
    batch: 0,
    globalStep,
    history,
    stopTraining: false,
    generators,
    callbacks: userCallbacks,
  };
  const call = async <Hook extends keyof Callback>(hook: Hook, ...args: unknown[]): Promise<void> => {
    for (const callback of ordered) {
      const method = callback[hook] as ((...hookArgs: unknown[]) => unknown) | undefined;
      if (method !== undefined) await method.apply(callback, args);
    }
  };

  const meanLoss = new MeanLoss();
  await call('onTrainBegin', run);
  for (let epoch = initialEpoch; epoch < epochs && !run.stopTraining; epoch++) {
    run.epoch = epoch;
    run.batch = 0;
    model.train();
    meanLoss.reset();
    for (const metric of metrics) metric.reset();
    const lr = optimizer.paramGroups?.[0]?.lr;
    const started = performance.now();
    await call('onEpochBegin', epoch, run);
    let batchIndex = 0;
    for (const batch of options.train) {
      run.batch = batchIndex;
      await call('onBatchBegin', batchIndex, run);
      const [input, target] = splitBatch(batch, 'fit');
      const output = model.forward(input) as Tensor;
      const loss = lossFunction(output, target);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      run.globalStep++;
      if (scheduler !== null && schedulerStep === 'batch') scheduler.step();
      const batchLogs: BatchLogs = { loss: loss.item(), size: input.shape[0] ?? 1 };
      meanLoss.record(batchLogs.loss, batchLogs.size);
      for (const metric of metrics) metric.update(output, target);
      await call('onBatchEnd', batchIndex, batchLogs, run);
      batchIndex++;
      await yieldToEventLoop();
    }
    const logs: Logs = { epoch, loss: meanLoss.compute(), ...numericMetrics(metrics) };
    if (scheduler !== null && schedulerStep === 'epoch') scheduler.step();
    if (options.validation !== undefined && options.validation !== null) {
      await call('onValidationBegin', run);
      const validationLogs = evaluate(model, options.validation, { loss: lossFunction, metrics });
      for (const [name, value] of Object.entries(validationLogs)) logs[validationKey(name)] = value;
    }
    if (lr !== undefined) logs.lr = lr;
    logs.seconds = (performance.now() - started) / 1000;
    run.history.push(logs);
    await call('onEpochEnd', epoch, logs, run);
  }
  await call('onTrainEnd', run);
  return new History(run.history, run.stopTraining && run.history.length < epochs);
}
