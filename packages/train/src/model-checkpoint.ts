import type { Callback, Logs, TrainingRun } from './callback.js';
import { encodeCheckpoint } from './checkpoint.js';
import { type MonitorMode, monitoredValue, resolveMonitorMode } from './early-stopping.js';
import { writeBytes } from './files.js';
import type { StateValue } from './state-codec.js';

/** Receives a checkpoint's bytes instead of a file (in a browser: IndexedDB, a download). */
export type CheckpointWriter = (bytes: Uint8Array, epoch: number, logs: Logs) => void | Promise<void>;

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  /**
   * Save only when the monitored figure improves on the best so far.
   * @defaultValue false
   */
  saveBestOnly?: boolean;
  /**
   * The figure `saveBestOnly` watches.
   * @defaultValue `'valLoss'`
   */
  monitor?: string;
  /**
   * Whether lower or higher is better for `monitor`.
   * @defaultValue `'auto'` (`'max'` for names with `acc`)
   */
  mode?: MonitorMode;
  /**
   * Save every this many epochs.
   * @defaultValue 1
   */
  every?: number;
}

/**
 * Saves the whole training state after each epoch, as a safetensors file
 * (see `encodeCheckpoint`): the model, the optimizer and scheduler states,
 * the epoch, the random generators' states, the history and the callbacks'
 * states, so that `fit(model, { resumeFrom: path })` goes on exactly where
 * the run stopped. The model's tensors are under `model.<key>`.
 *
 * `target` is a path (`{epoch}` in it becomes the number of epochs done,
 * e.g. `'run-{epoch}.safetensors'`), a function of the epoch and logs giving
 * one, or a {@link CheckpointWriter} that receives the bytes. Files are
 * written through a temporary file and renamed, so a crash never leaves
 * half a checkpoint. Paths need `import '@strata/train/node'` (Node.js's
 * file system); in a browser pass a writer.
 *
 * @example
 * ```ts
 * import '@strata/train/node';
 * await fit(model, { ..., epochs: 10, callbacks: [new ModelCheckpoint('run.safetensors')] });
 * // later, after a crash:
 * await fit(model, { ..., epochs: 10, resumeFrom: 'run.safetensors' });
 * ```
 * @throws RangeError when `every` is not a positive integer or `mode` is unknown.
 */
export class ModelCheckpoint implements Callback {
  /** Whether a checkpoint is written only when `monitor` improves on the best so far (`false` by default). */
  readonly saveBestOnly: boolean;
  /** The logged figure `saveBestOnly` watches (`'valLoss'` by default). */
  readonly monitor: string;
  /** Whether lower (`'min'`) or higher (`'max'`) values of `monitor` are better, with `'auto'` resolved. */
  readonly mode: 'min' | 'max';
  /** A checkpoint is written after every this many epochs (1 by default). */
  readonly every: number;
  /** The best monitored value saved so far (for `saveBestOnly`). */
  best: number;
  /** The path of the last file written, if any. */
  lastPath: string | null = null;
  private readonly target: string | ((epoch: number, logs: Logs) => string) | { write: CheckpointWriter };

  constructor(target: string | ((epoch: number, logs: Logs) => string) | { write: CheckpointWriter }, options: ModelCheckpointOptions = {}) {
    if (typeof target !== 'string' && typeof target !== 'function' && typeof target?.write !== 'function') {
      throw new TypeError('ModelCheckpoint: target must be a path, a function giving a path, or { write(bytes, epoch, logs) }');
    }
    this.target = target;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = resolveMonitorMode(options.mode ?? 'auto', this.monitor, 'ModelCheckpoint');
    this.every = options.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1) throw new RangeError(`ModelCheckpoint: every must be a positive integer, got ${this.every}`);
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  async onEpochEnd(epoch: number, logs: Logs, run: TrainingRun): Promise<void> {
    const done = epoch + 1;
    if (done % this.every !== 0 && done !== run.epochs && !run.stopTraining) return;
    if (this.saveBestOnly) {
      const value = monitoredValue(logs, this.monitor, 'ModelCheckpoint');
      if (!(this.mode === 'min' ? value < this.best : value > this.best)) return;
      this.best = value;
    }
    const bytes = encodeCheckpoint({
      model: run.model,
      optimizer: run.optimizer,
      scheduler: run.scheduler,
      epoch: done,
      globalStep: run.globalStep,
      generators: run.generators,
      history: run.history,
      callbacks: run.callbacks,
    });
    if (typeof this.target === 'object') {
      await this.target.write(bytes, epoch, logs);
      return;
    }
    const path = typeof this.target === 'function' ? this.target(epoch, logs) : this.target.replaceAll('{epoch}', String(done));
    await writeBytes(path, bytes, 'ModelCheckpoint');
    this.lastPath = path;
  }

  stateDict(): StateValue {
    return { best: this.best };
  }

  loadStateDict(state: StateValue): void {
    this.best = (state as { best: number }).best;
  }
}
