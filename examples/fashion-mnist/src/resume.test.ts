import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrossEntropyLoss } from '@strata/losses';
import { Adam, CosineAnnealingLR } from '@strata/optim';
import { Generator, type Tensor, defaultGenerator, manualSeed } from '@strata/tensor';
import { Accuracy, DataLoader, ModelCheckpoint, type TrainOptimizer, type TrainScheduler, fit } from '@strata/train';
import { loadFashionMnist } from '@strata/train/node';
import { describe, expect, it } from 'vitest';
import { SHIPPED_DATA } from './demo.js';
import { createCnn } from './model.js';

function bitPatterns(state: Record<string, Tensor>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, tensor] of Object.entries(state)) {
    const data = tensor.contiguousData();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    result[key] = `${tensor.dtype}:${Buffer.from(bytes).toString('base64')}`;
  }
  return result;
}

const train = loadFashionMnist(SHIPPED_DATA, { split: 'train', limit: 128 });
const test = loadFashionMnist(SHIPPED_DATA, { split: 'test', limit: 64 });

/** The demo's setup at a small scale: the CNN (BatchNorm running statistics, Dropout masks), Adam, cosine annealing, a shuffling loader. */
function setup(seed: number) {
  manualSeed(seed);
  const model = createCnn();
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const scheduler = new CosineAnnealingLR(optimizer, 4);
  return {
    model,
    optimizer,
    scheduler,
    train: new DataLoader(train, { batchSize: 32, shuffle: true, generator: new Generator(seed) }),
    validation: new DataLoader(test, { batchSize: 64 }),
    loss: new CrossEntropyLoss(),
    metrics: [new Accuracy()],
    progress: false,
  };
}

describe('resuming the CNN from a checkpoint', () => {
  it('gives bitwise the parameters, buffers, optimizer state and history of the uninterrupted run', async () => {
    const straight = setup(0);
    const full = await fit(straight.model, { ...straight, epochs: 2 });
    const generatorState = defaultGenerator.getState();

    const path = join(mkdtempSync(join(tmpdir(), 'strata-cnn-resume-')), 'run.safetensors');
    const interrupted = setup(0);
    await fit(interrupted.model, { ...interrupted, epochs: 1, callbacks: [new ModelCheckpoint(path)] });

    const resumedRun = setup(1);
    const resumed = await fit(resumedRun.model, { ...resumedRun, epochs: 2, resumeFrom: path });

    expect(bitPatterns(resumedRun.model.stateDict())).toEqual(bitPatterns(straight.model.stateDict()));
    const optimizerTensors = (optimizer: TrainOptimizer) => {
      const state = (optimizer.stateDict() as { state: Record<string, Record<string, Tensor | number>> }).state;
      const flat: Record<string, Tensor> = {};
      for (const [index, entry] of Object.entries(state)) {
        for (const [name, value] of Object.entries(entry)) if (typeof value === 'object') flat[`${index}.${name}`] = value;
      }
      return bitPatterns(flat);
    };
    expect(optimizerTensors(resumedRun.optimizer)).toEqual(optimizerTensors(straight.optimizer));
    const scheduled = (scheduler: TrainScheduler) => scheduler.stateDict();
    expect(scheduled(resumedRun.scheduler)).toEqual(scheduled(straight.scheduler));
    const withoutTime = (epochs: readonly Record<string, number>[]) => epochs.map(({ seconds: _seconds, ...rest }) => rest);
    expect(withoutTime(resumed.epochs)).toEqual(withoutTime(full.epochs));
    expect(defaultGenerator.getState()).toEqual(generatorState);
  }, 300_000);
});
