import type { Module } from '@strata/module';
import type { Generator } from '@strata/tensor';
import type { StateValue } from './state-codec.js';

/**
 * What `fit` needs of an optimizer: `Optimizer` of `@strata/optim` (`SGD`,
 * `Adam`, ...) fits, and so does any object with these methods.
 */
export interface TrainOptimizer {
  /** Updates the parameters from their gradients. */
  step(): unknown;
  /** Clears the parameters' gradients. */
  zeroGrad(): void;
  /** The optimizer's state (moments, step counts, parameter groups), for checkpoints. */
  stateDict(): unknown;
  /** Restores a state from `stateDict`. */
  loadStateDict(state: never): void;
  /** The parameter groups; `fit` logs the first group's learning rate as `lr`. */
  readonly paramGroups?: readonly { readonly lr: number }[];
}

/**
 * What `fit` needs of a learning-rate scheduler: `LRScheduler` of
 * `@strata/optim` (`CosineAnnealingLR`, ...) fits. `fit` calls `step()`
 * after each epoch (or each batch, with `schedulerStep: 'batch'`).
 */
export interface TrainScheduler {
  /** Advances the schedule by one epoch (or one batch) and sets the optimizer's learning rates. */
  step(): unknown;
  /** The scheduler's state (its step count, base learning rates, ...), for checkpoints. */
  stateDict(): unknown;
  /** Restores a state from `stateDict` (when resuming from a checkpoint). */
  loadStateDict(state: never): void;
}

/** Numbers by name: `{ loss: 0.41, accuracy: 0.85, valLoss: 0.45, ... }`. */
export type Logs = Record<string, number>;

/** What `onBatchEnd` receives: the batch's loss and how many samples it had. */
export interface BatchLogs {
  /** The batch's loss (the loss function's value, usually a mean over the batch). */
  loss: number;
  /** The number of samples in the batch. */
  size: number;
}

/**
 * A training run in progress, as `fit` hands it to every callback: the
 * model and optimizer, where the run is, and the history so far. Setting
 * `stopTraining` ends the run after the current epoch.
 */
export interface TrainingRun {
  /** The model being trained (in training mode during the epochs, as `fit` set it). */
  readonly model: Module;
  /** The optimizer `fit` steps after each batch. */
  readonly optimizer: TrainOptimizer;
  /** The learning-rate scheduler `fit` steps, or `null` when none was given. */
  readonly scheduler: TrainScheduler | null;
  /** The number of epochs the run ends after. */
  readonly epochs: number;
  /** The current epoch, counted from 0 (after the run: the last epoch run). */
  readonly epoch: number;
  /** The epoch the run started at: 0, or the epoch after a resumed checkpoint's. */
  readonly initialEpoch: number;
  /** The number of batches of an epoch, when the training data says (a `DataLoader`'s `length`). */
  readonly stepsPerEpoch: number | null;
  /** The batch within the epoch, counted from 0. */
  readonly batch: number;
  /** Optimizer steps since the start of training (a resumed run counts the steps before the checkpoint). */
  readonly globalStep: number;
  /** The logs of each finished epoch, in order (each with its `epoch`). */
  readonly history: readonly Logs[];
  /** Set to `true` to end the run after the current epoch (early stopping does). */
  stopTraining: boolean;
  /** The random generators whose state a checkpoint saves: the default one, and the training loader's own if it has one. */
  readonly generators: Readonly<Record<string, Generator>>;
  /** The callbacks of the run, in order. */
  readonly callbacks: readonly Callback[];
}

/**
 * Hooks into `fit`, like Keras' callbacks: every method is optional and may
 * return a promise, which `fit` awaits. Epochs and batches are counted from 0.
 *
 * A callback with state that matters for resuming (early stopping's
 * patience count) implements `stateDict` / `loadStateDict`; checkpoints save
 * it with the rest.
 *
 * @example
 * ```ts
 * const printer: Callback = {
 *   onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch + 1}: loss ${logs.loss}`),
 * };
 * await fit(model, { train, loss, optimizer, callbacks: [printer] });
 * ```
 */
export interface Callback {
  /** Once, before the first epoch (after a checkpoint given as `resumeFrom` has been loaded). */
  onTrainBegin?(run: TrainingRun): void | Promise<void>;
  /** Once, after the last epoch (or the epoch after which `stopTraining` was set). */
  onTrainEnd?(run: TrainingRun): void | Promise<void>;
  /** At the start of each epoch, before its first batch; the model is in training mode. */
  onEpochBegin?(epoch: number, run: TrainingRun): void | Promise<void>;
  /** After the epoch's training, scheduler step and validation; `logs` has the epoch's figures. */
  onEpochEnd?(epoch: number, logs: Logs, run: TrainingRun): void | Promise<void>;
  /** Before each training batch is read into the model. */
  onBatchBegin?(batch: number, run: TrainingRun): void | Promise<void>;
  /** After the optimizer step of a batch. */
  onBatchEnd?(batch: number, logs: BatchLogs, run: TrainingRun): void | Promise<void>;
  /** Before validation, after the epoch's last batch. */
  onValidationBegin?(run: TrainingRun): void | Promise<void>;
  /** The state to save in a checkpoint. */
  stateDict?(): StateValue;
  /** Restores a state from `stateDict` (when resuming from a checkpoint). */
  loadStateDict?(state: StateValue): void;
}
