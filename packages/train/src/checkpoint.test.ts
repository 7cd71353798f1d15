import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSafetensors, saveSafetensors } from '@strata/module';
import { Generator, type Tensor, defaultGenerator, manualSeed, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint } from './checkpoint.js';
import { DataLoader } from './data-loader.js';
import { TensorDataset } from './dataset.js';
import { EarlyStopping } from './early-stopping.js';
import { fit } from './fit.js';
import { Accuracy } from './metrics.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { loadCheckpointFile, saveCheckpointFile } from './node.js';
import { decodeState, encodeState } from './state-codec.js';
import { HalvingScheduler, MomentumSgd, NoisyLinear, blobs, crossEntropy } from './train-test-support.js';

function bits(state: Record<string, Tensor>): Record<string, number[]> {
  const result: Record<string, number[]> = {};
  for (const [key, value] of Object.entries(state)) {
    const data = value.contiguousData();
    // Compare the bit patterns, so -0 vs 0 or NaN payloads would show.
    result[key] = Array.from(new Uint32Array(Float32Array.from(data).buffer));
  }
  return result;
}

describe('the state codec', () => {
  it('round-trips numbers exactly (NaN, ±Infinity, -0 included), tensors, nesting and $-keys', () => {
    const tensors: Record<string, Tensor> = {};
    const value = {
      lr: 0.1 + 0.2,
      betas: [0.9, 0.999],
      best: Number.POSITIVE_INFINITY,
      worst: Number.NEGATIVE_INFINITY,
      missing: Number.NaN,
      negativeZero: -0,
      name: 'adam',
      flag: true,
      none: null,
      $tensor: 'not a marker',
      state: { 0: { expAvg: tensor([1, 2]), step: 3 } },
    };
    const json = JSON.parse(JSON.stringify(encodeState(value, 'optimizer', tensors)));
    expect(Object.keys(tensors)).toEqual(['optimizer.state.0.expAvg']);
    const back = decodeState(json, loadSafetensors(saveSafetensors(tensors))) as typeof value;
    expect(back.lr).toBe(0.1 + 0.2);
    expect(back.best).toBe(Number.POSITIVE_INFINITY);
    expect(back.worst).toBe(Number.NEGATIVE_INFINITY);
    expect(back.missing).toBeNaN();
    expect(Object.is(back.negativeZero, -0)).toBe(true);
    expect(back.$tensor).toBe('not a marker');
    expect(back.state[0]!.expAvg.tolist()).toEqual([1, 2]);
    expect({ ...back, state: null, missing: 0 }).toEqual({ ...value, state: null, missing: 0 });
  });

  it('rejects values a checkpoint cannot hold, naming where', () => {
    expect(() => encodeState({ schedule: { lambda: () => 1 } }, 'scheduler', {})).toThrow(
      new TypeError("checkpoint: cannot store the function at 'scheduler.schedule.lambda' (expected numbers, strings, booleans, null, tensors, arrays and plain objects)"),
    );
    expect(() => encodeState({ map: new Map() }, 'optimizer', {})).toThrow("checkpoint: cannot store the Map at 'optimizer.map'");
  });
});

describe('checkpoints', () => {
  it('hold the model under model.<key> (readable as a plain safetensors file), and the rest in the metadata', () => {
    manualSeed(0);
    const model = new NoisyLinear(2, 4);
    const optimizer = new MomentumSgd(model.parameters());
    const bytes = encodeCheckpoint({ model, optimizer, epoch: 2, globalStep: 16, generators: { default: defaultGenerator }, history: [{ epoch: 0, loss: 1 }] });
    const plain = loadSafetensors(bytes);
    expect(Object.keys(plain).sort()).toEqual(['model.bias', 'model.weight']);
    const checkpoint = decodeCheckpoint(bytes);
    expect(checkpoint.epoch).toBe(2);
    expect(checkpoint.globalStep).toBe(16);
    expect(checkpoint.generators.default).toEqual(defaultGenerator.getState());
    expect(checkpoint.history).toEqual([{ epoch: 0, loss: 1 }]);
    expect(checkpoint.optimizer).toEqual({ state: {}, paramGroups: [{ lr: 0.1, momentum: 0.9, params: [0, 1] }] });
    expect(() => decodeCheckpoint(saveSafetensors(model.stateDict()))).toThrow(
      "decodeCheckpoint: not a Strata checkpoint (metadata format missing, expected 'strata-checkpoint'); a plain state dict loads with loadSafetensors and model.loadStateDict",
    );
    expect(() => loadCheckpoint(encodeCheckpoint({ model, epoch: 1 }), { model, optimizer })).toThrow('loadCheckpoint: the checkpoint has no optimizer state');
  });

  it('save and load through files (node)', () => {
    manualSeed(0);
    const model = new NoisyLinear(2, 4);
    const path = join(mkdtempSync(join(tmpdir(), 'strata-checkpoint-')), 'model.safetensors');
    saveCheckpointFile(path, { model, epoch: 1 });
    const other = new NoisyLinear(2, 4);
    loadCheckpoint(loadCheckpointFile(path), { model: other });
    expect(bits(other.stateDict())).toEqual(bits(model.stateDict()));
  });

  /**
   * One training run: a model with a random input mask (the default
   * generator), a shuffling loader with its own generator, SGD with
   * momentum, a scheduler and early stopping with state.
   */
  function run(seed: number) {
    manualSeed(seed);
    const data = blobs(200, new Generator(99));
    const model = new NoisyLinear(2, 4);
    const optimizer = new MomentumSgd(model.parameters(), 0.05);
    const scheduler = new HalvingScheduler(optimizer, 0.7);
    const dataset = new TensorDataset(data.inputs, data.targets);
    const train = new DataLoader(dataset, { batchSize: 16, shuffle: true, generator: new Generator(seed + 5) });
    const validation = new DataLoader(dataset, { batchSize: 200 });
    const stopping = new EarlyStopping({ monitor: 'valLoss', patience: 10 });
    return { model, optimizer, scheduler, train, validation, stopping };
  }

  it('resuming from a checkpoint gives bitwise the parameters, optimizer state and history of the uninterrupted run', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'strata-resume-'));
    const straight = run(0);
    const full = await fit(straight.model, {
      ...straight,
      loss: crossEntropy,
      epochs: 4,
      metrics: [new Accuracy()],
      callbacks: [straight.stopping],
      progress: false,
    });
    const generatorAfterStraightRun = defaultGenerator.getState();

    const first = run(0);
    const path = join(folder, 'run-{epoch}.safetensors');
    await fit(first.model, { ...first, loss: crossEntropy, epochs: 2, metrics: [new Accuracy()], callbacks: [new ModelCheckpoint(path), first.stopping], progress: false });
    expect(existsSync(join(folder, 'run-2.safetensors'))).toBe(true);

    // A new process would start from other random weights and generator states: the checkpoint must restore all of them.
    const second = run(123);
    const resumed = await fit(second.model, {
      ...second,
      loss: crossEntropy,
      epochs: 4,
      metrics: [new Accuracy()],
      callbacks: [second.stopping],
      resumeFrom: join(folder, 'run-2.safetensors'),
      progress: false,
    });
    expect(bits(second.model.stateDict())).toEqual(bits(straight.model.stateDict()));
    expect(bits({ buffer0: second.optimizer.stateDict().state[0]!.momentumBuffer })).toEqual(bits({ buffer0: straight.optimizer.stateDict().state[0]!.momentumBuffer }));
    expect(second.optimizer.paramGroups[0]!.lr).toBe(straight.optimizer.paramGroups[0]!.lr);
    expect(second.scheduler.lastEpoch).toBe(4);
    const withoutTime = (logs: Record<string, number>[]) => logs.map(({ seconds: _seconds, ...rest }) => rest);
    expect(withoutTime([...resumed.epochs])).toEqual(withoutTime([...full.epochs]));
    expect(second.stopping.bestEpoch).toBe(straight.stopping.bestEpoch);
    expect(second.stopping.best).toBe(straight.stopping.best);
    // The default generator ends in the same state too: the same masks were drawn.
    expect(defaultGenerator.getState()).toEqual(generatorAfterStraightRun);
  });

  it('resumes from bytes given to fit, and a checkpoint of the last epoch trains nothing more', async () => {
    const writes: Uint8Array[] = [];
    const first = run(1);
    await fit(first.model, { ...first, loss: crossEntropy, epochs: 2, callbacks: [new ModelCheckpoint({ write: (bytes) => void writes.push(bytes) })], progress: false });
    expect(writes).toHaveLength(2);
    const again = run(7);
    const history = await fit(again.model, { ...again, loss: crossEntropy, epochs: 2, resumeFrom: writes[1]!, progress: false });
    expect(history.epochs).toHaveLength(2);
    expect(again.optimizer.steps).toBe(0);
    expect(bits(again.model.stateDict())).toEqual(bits(first.model.stateDict()));
  });

  it('ModelCheckpoint with saveBestOnly writes only when the monitored figure improves', async () => {
    const written: number[] = [];
    const checkpoint = new ModelCheckpoint({ write: (_bytes, epoch) => void written.push(epoch) }, { saveBestOnly: true, monitor: 'loss' });
    const logs = [3, 2, 2.5, 1];
    const fake = { epochs: 4, stopTraining: false, model: new NoisyLinear(2, 2), optimizer: null, scheduler: null, globalStep: 0, generators: {}, history: [], callbacks: [] };
    for (const [epoch, loss] of logs.entries()) await checkpoint.onEpochEnd(epoch, { loss }, fake as never);
    expect(written).toEqual([0, 1, 3]);
    expect(checkpoint.best).toBe(1);
  });
});
