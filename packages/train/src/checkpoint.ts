import { type Module, loadSafetensors, readSafetensorsMetadata, saveSafetensors } from '@strata/module';
import type { Generator, Tensor } from '@strata/tensor';
import type { Callback, Logs, TrainOptimizer, TrainScheduler } from './callback.js';
import { type StateValue, decodeState, encodeState } from './state-codec.js';

const FORMAT = 'strata-checkpoint';
const FORMAT_VERSION = '1';
const MODEL_PREFIX = 'model.';

/** What {@link encodeCheckpoint} saves: everything a run needs to go on exactly where it stopped. */
export interface CheckpointParts {
  /** The model whose state dict (parameters and buffers) is saved under `model.<key>`. */
  model: Module;
  /** The optimizer whose `stateDict()` is saved (moments, step counts, parameter groups). @defaultValue none */
  optimizer?: TrainOptimizer | null;
  /** The learning-rate scheduler whose `stateDict()` is saved. @defaultValue none */
  scheduler?: TrainScheduler | null;
  /** The number of epochs completed: a resumed run starts at this epoch (counted from 0). */
  epoch: number;
  /** Optimizer steps taken so far. @defaultValue 0 */
  globalStep?: number;
  /** Random generators by name (`default`, `loader`); their states are saved. @defaultValue none */
  generators?: Readonly<Record<string, Generator>>;
  /** The logs of the finished epochs. @defaultValue none */
  history?: readonly Logs[];
  /** Callbacks whose `stateDict()` is saved, by position. @defaultValue none */
  callbacks?: readonly Callback[];
}

/** A decoded checkpoint (see {@link decodeCheckpoint}); `loadCheckpoint` puts it back into a model and optimizer. */
export interface Checkpoint {
  /** The number of epochs completed. */
  epoch: number;
  /** The number of optimizer steps taken before the checkpoint (0 when it was not saved). */
  globalStep: number;
  /** The model's state dict, PyTorch's key names. */
  model: Record<string, Tensor>;
  /** The optimizer's state dict, as `stateDict()` returned it, or `null` when none was saved. */
  optimizer: StateValue | null;
  /** The scheduler's state dict, or `null` when none was saved. */
  scheduler: StateValue | null;
  /** Generator states by name, as `Generator.getState()` returns them. */
  generators: Record<string, number[]>;
  /** The logs of the epochs finished before the checkpoint, in order. */
  history: Logs[];
  /** Each callback's state by position (`null` for one without state). */
  callbacks: (StateValue | null)[];
}

/**
 * Serializes a training run as one safetensors file: the model's state dict
 * under `model.<key>` (so `loadSafetensors` and PyTorch's `safetensors` read
 * it), the optimizer's and scheduler's tensors beside it, and the rest
 * (epoch, step count, generator states, history, callback states,
 * non-tensor optimizer state) as JSON in the metadata. Loading it back with
 * {@link loadCheckpoint} and training on gives bitwise the same parameters
 * as a run that never stopped.
 *
 * @example
 * ```ts
 * const bytes = encodeCheckpoint({ model, optimizer, epoch: 3, generators: { default: defaultGenerator } });
 * ```
 * @throws TypeError when a state holds a value that cannot be stored (a function, a Map).
 */
export function encodeCheckpoint(parts: CheckpointParts): Uint8Array {
  if (!Number.isInteger(parts.epoch) || parts.epoch < 0) throw new RangeError(`encodeCheckpoint: epoch must be a non-negative integer, got ${parts.epoch}`);
  const tensors: Record<string, Tensor> = {};
  for (const [key, value] of Object.entries(parts.model.stateDict())) tensors[MODEL_PREFIX + key] = value;
  const generators: Record<string, number[]> = {};
  for (const [name, generator] of Object.entries(parts.generators ?? {})) generators[name] = generator.getState();
  const state = {
    optimizer: parts.optimizer ? encodeState(parts.optimizer.stateDict(), 'optimizer', tensors) : null,
    scheduler: parts.scheduler ? encodeState(parts.scheduler.stateDict(), 'scheduler', tensors) : null,
    generators: encodeState(generators, 'generators', tensors),
    history: encodeState(parts.history ?? [], 'history', tensors),
    callbacks: (parts.callbacks ?? []).map((callback, index) =>
      callback.stateDict === undefined ? null : encodeState(callback.stateDict(), `callbacks.${index}`, tensors),
    ),
  };
  const metadata = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    epoch: String(parts.epoch),
    globalStep: String(parts.globalStep ?? 0),
    state: JSON.stringify(state),
  };
  return saveSafetensors(tensors, metadata);
}

/**
 * Reads a checkpoint written by {@link encodeCheckpoint}.
 * @throws Error when the bytes are not a safetensors file or not a Strata checkpoint.
 */
export function decodeCheckpoint(bytes: Uint8Array | ArrayBuffer): Checkpoint {
  const header = readSafetensorsMetadata(bytes);
  const metadata = header.metadata ?? {};
  if (metadata.format !== FORMAT) {
    throw new Error(
      `decodeCheckpoint: not a Strata checkpoint (metadata format ${metadata.format === undefined ? 'missing' : `'${metadata.format}'`}, expected '${FORMAT}'); ` +
        'a plain state dict loads with loadSafetensors and model.loadStateDict',
    );
  }
  if (metadata.formatVersion !== FORMAT_VERSION) {
    throw new Error(`decodeCheckpoint: checkpoint format version '${metadata.formatVersion}' is not supported (expected '${FORMAT_VERSION}')`);
  }
  const tensors = loadSafetensors(bytes);
  const state = JSON.parse(metadata.state ?? '{}') as Record<string, unknown>;
  const model: Record<string, Tensor> = {};
  for (const [key, tensor] of Object.entries(tensors)) if (key.startsWith(MODEL_PREFIX)) model[key.slice(MODEL_PREFIX.length)] = tensor;
  return {
    epoch: Number(metadata.epoch),
    globalStep: Number(metadata.globalStep ?? 0),
    model,
    optimizer: state.optimizer === null || state.optimizer === undefined ? null : decodeState(state.optimizer, tensors),
    scheduler: state.scheduler === null || state.scheduler === undefined ? null : decodeState(state.scheduler, tensors),
    generators: decodeState(state.generators ?? {}, tensors) as Record<string, number[]>,
    history: decodeState(state.history ?? [], tensors) as Logs[],
    callbacks: ((state.callbacks ?? []) as unknown[]).map((entry) => (entry === null ? null : decodeState(entry, tensors))),
  };
}

/** Where {@link loadCheckpoint} puts a checkpoint's states back. */
export interface CheckpointTargets {
  /** The model that receives the saved parameters and buffers (through `loadStateDict`). */
  model: Module;
  /** Receives the optimizer state (left alone when absent). */
  optimizer?: TrainOptimizer | null;
  /** Receives the scheduler state. */
  scheduler?: TrainScheduler | null;
  /** Generators by the names they were saved under (`default`, `loader`). */
  generators?: Readonly<Record<string, Generator>>;
  /** Callbacks by position, as they were saved. */
  callbacks?: readonly Callback[];
}

/**
 * Puts a checkpoint back: the model's parameters and buffers, and, for the
 * targets given, the optimizer's and scheduler's states, the generators'
 * states and the callbacks' states. Returns the decoded checkpoint (its
 * `epoch` is where training goes on). `fit(model, { resumeFrom })` does
 * this for you.
 *
 * @example
 * ```ts
 * import { loadCheckpointFile } from '@strata/train/node';
 * const { epoch } = loadCheckpoint(loadCheckpointFile('run.safetensors'), { model, optimizer });
 * ```
 * @throws Error when a target is given whose state the checkpoint lacks (checked before anything
 * changes), or as the model's, optimizer's or scheduler's `loadStateDict` throws; each of those
 * checks its own state before changing it, but the ones before it have been restored by then.
 */
export function loadCheckpoint(source: Uint8Array | ArrayBuffer | Checkpoint, targets: CheckpointTargets): Checkpoint {
  const checkpoint = source instanceof Uint8Array || source instanceof ArrayBuffer ? decodeCheckpoint(source) : source;
  if (targets.optimizer && checkpoint.optimizer === null) throw new Error('loadCheckpoint: the checkpoint has no optimizer state');
  if (targets.scheduler && checkpoint.scheduler === null) throw new Error('loadCheckpoint: the checkpoint has no scheduler state');
  for (const name of Object.keys(targets.generators ?? {})) {
    if (checkpoint.generators[name] === undefined) {
      throw new Error(`loadCheckpoint: the checkpoint has no state for the generator '${name}' (it has ${Object.keys(checkpoint.generators).join(', ') || 'none'})`);
    }
  }
  targets.model.loadStateDict(checkpoint.model);
  if (targets.optimizer) targets.optimizer.loadStateDict(checkpoint.optimizer as never);
  if (targets.scheduler) targets.scheduler.loadStateDict(checkpoint.scheduler as never);
  for (const [name, generator] of Object.entries(targets.generators ?? {})) generator.setState(checkpoint.generators[name]!);
  (targets.callbacks ?? []).forEach((callback, index) => {
    const state = checkpoint.callbacks[index];
    if (state !== undefined && state !== null && callback.loadStateDict !== undefined) callback.loadStateDict(state);
  });
  return checkpoint;
}
