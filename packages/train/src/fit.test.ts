import { Generator, Tensor, manualSeed } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import type { Callback } from './callback.js';
import { DataLoader } from './data-loader.js';
import { TensorDataset } from './dataset.js';
import { evaluate } from './evaluate.js';
import { fit } from './fit.js';
import { Accuracy, ConfusionMatrix } from './metrics.js';
import { HalvingScheduler, MomentumSgd, NoisyLinear, blobs, crossEntropy } from './train-test-support.js';

function setup(seed = 0) {
  manualSeed(seed);
  const data = blobs(256, new Generator(seed + 100));
  const model = new NoisyLinear(2, 4);
  const optimizer = new MomentumSgd(model.parameters(), 0.05);
  const dataset = new TensorDataset(data.inputs, data.targets);
  const train = new DataLoader(dataset, { batchSize: 32, shuffle: true, generator: new Generator(seed + 1) });
  const validation = new DataLoader(dataset, { batchSize: 100 });
  return { model, optimizer, train, validation };
}

describe('fit', () => {
  it('trains: the loss falls and accuracy rises; the history has per-epoch loss, metrics, validation figures, lr and time', async () => {
    const { model, optimizer, train, validation } = setup();
    const history = await fit(model, { train, validation, loss: crossEntropy, optimizer, epochs: 4, metrics: [new Accuracy()], progress: false });
    expect(history.epochs).toHaveLength(4);
    const losses = history.series('loss');
    expect(losses[3]!).toBeLessThan(losses[0]! / 2);
    expect(history.last!.valAccuracy!).toBeGreaterThan(0.95);
    expect(Object.keys(history.last!)).toEqual(['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'seconds']);
    expect(history.series('epoch')).toEqual([0, 1, 2, 3]);
    expect(history.stoppedEarly).toBe(false);
    expect(optimizer.steps).toBe(4 * 8);
  });

  it('the epoch loss is the size-weighted mean of the batch losses', async () => {
    const { model, optimizer } = setup();
    const data = blobs(10, new Generator(5));
    const seen: { loss: number; size: number }[] = [];
    const recorder: Callback = { onBatchEnd: (_batch, logs) => void seen.push(logs) };
    const history = await fit(model, {
      train: new DataLoader(new TensorDataset(data.inputs, data.targets), { batchSize: 4 }),
      loss: crossEntropy,
      optimizer,
      callbacks: [recorder],
      progress: false,
    });
    expect(seen.map((logs) => logs.size)).toEqual([4, 4, 2]);
    const expected = seen.reduce((sum, logs) => sum + logs.loss * logs.size, 0) / 10;
    expect(history.last!.loss).toBeCloseTo(expected, 12);
  });

  it('calls the hooks in order, and steps the scheduler per epoch or per batch', async () => {
    const calls: string[] = [];
    const tracer: Callback = {
      onTrainBegin: () => void calls.push('trainBegin'),
      onEpochBegin: (epoch) => void calls.push(`epochBegin ${epoch}`),
      onBatchBegin: (batch) => void calls.push(`batchBegin ${batch}`),
      onBatchEnd: (batch) => void calls.push(`batchEnd ${batch}`),
      onValidationBegin: () => void calls.push('validationBegin'),
      onEpochEnd: async (epoch) => {
        await Promise.resolve();
        calls.push(`epochEnd ${epoch}`);
      },
      onTrainEnd: () => void calls.push('trainEnd'),
    };
    const data = blobs(8, new Generator(1));
    const dataset = new TensorDataset(data.inputs, data.targets);
    const model = new NoisyLinear(2, 4);
    const optimizer = new MomentumSgd(model.parameters(), 0.8);
    const scheduler = new HalvingScheduler(optimizer);
    const history = await fit(model, {
      train: new DataLoader(dataset, { batchSize: 4 }),
      validation: new DataLoader(dataset, { batchSize: 8 }),
      loss: crossEntropy,
      optimizer,
      scheduler,
      epochs: 2,
      callbacks: [tracer],
      progress: false,
    });
    expect(calls).toEqual([
      'trainBegin',
      'epochBegin 0',
      'batchBegin 0',
      'batchEnd 0',
      'batchBegin 1',
      'batchEnd 1',
      'validationBegin',
      'epochEnd 0',
      'epochBegin 1',
      'batchBegin 0',
      'batchEnd 0',
      'batchBegin 1',
      'batchEnd 1',
      'validationBegin',
      'epochEnd 1',
      'trainEnd',
    ]);
    // The lr logged is the one the epoch trained with: 0.8, then 0.4.
    expect(history.series('lr')).toEqual([0.8, 0.4]);
    expect(scheduler.lastEpoch).toBe(2);

    const perBatch = new HalvingScheduler(optimizer);
    await fit(model, { train: new DataLoader(dataset, { batchSize: 4 }), loss: crossEntropy, optimizer, scheduler: perBatch, schedulerStep: 'batch', epochs: 2, progress: false });
    expect(perBatch.lastEpoch).toBe(4);
  });

  it('lets the macrotask end after every batch, so weakly held graph tensors are freed during an epoch', async () => {
    const { model, optimizer, train } = setup();
    const order: string[] = [];
    const probe: Callback = {
      onBatchBegin: (batch) => {
        order.push(`batch ${batch}`);
        if (batch === 0) setImmediate(() => order.push('macrotask'));
      },
    };
    await fit(model, { train, loss: crossEntropy, optimizer, callbacks: [probe], progress: false });
    expect(order.slice(0, 3)).toEqual(['batch 0', 'macrotask', 'batch 1']);
  });

  it('stops after the epoch in which a callback sets stopTraining', async () => {
    const { model, optimizer, train } = setup();
    const stopper: Callback = {
      onEpochEnd: (epoch, _logs, run) => {
        if (epoch === 1) run.stopTraining = true;
      },
    };
    const history = await fit(model, { train, loss: crossEntropy, optimizer, epochs: 5, callbacks: [stopper], progress: false });
    expect(history.epochs).toHaveLength(2);
    expect(history.stoppedEarly).toBe(true);
  });

  it('accepts a loss module (an object with forward) and any iterable of batches', async () => {
    const { model, optimizer } = setup();
    const data = blobs(16, new Generator(2));
    const batches = [[data.inputs, data.targets]];
    const history = await fit(model, { train: batches, loss: { forward: crossEntropy }, optimizer, epochs: 2, progress: false });
    expect(history.epochs).toHaveLength(2);
  });

  it('rejects invalid options before training', async () => {
    const { model, optimizer, train } = setup();
    await expect(fit(model, { train, loss: crossEntropy, optimizer, epochs: -1 })).rejects.toThrow(new RangeError('fit: epochs must be a non-negative integer, got -1'));
    await expect(fit(model, { train, loss: crossEntropy, optimizer, schedulerStep: 'step' as never })).rejects.toThrow(
      new RangeError(`fit: schedulerStep must be 'epoch' or 'batch', got "step"`),
    );
    await expect(fit(model, { train, loss: crossEntropy, optimizer: {} as never })).rejects.toThrow(
      new TypeError('fit: optimizer must have step() and zeroGrad() (an Optimizer of @strata/optim)'),
    );
    await expect(fit(model, { train: 5 as never, loss: crossEntropy, optimizer })).rejects.toThrow(new TypeError('fit: train must be an iterable of batches (a DataLoader)'));
    await expect(fit(model, { train: [[1, 2]], loss: crossEntropy, optimizer, progress: false })).rejects.toThrow(
      new TypeError('fit: each batch must be [input, target, ...] with two tensors first, got an array of 2 elements'),
    );
    expect(optimizer.steps).toBe(0);
  });
});

describe('evaluate', () => {
  it('runs in evaluation mode without gradients, restores the mode, and reports the mean loss and numeric metrics', () => {
    const { model, validation } = setup();
    const confusion = new ConfusionMatrix(4);
    let sawTraining: boolean | undefined;
    let sawGrad: boolean | undefined;
    const loss = (output: Tensor, target: Tensor): Tensor => {
      sawTraining = model.training;
      sawGrad = output.requiresGrad;
      return crossEntropy(output, target);
    };
    model.train();
    const logs = evaluate(model, validation, { loss, metrics: [new Accuracy(), confusion] });
    expect(Object.keys(logs)).toEqual(['loss', 'accuracy']);
    expect(sawTraining).toBe(false);
    expect(sawGrad).toBe(false);
    expect(model.training).toBe(true);
    expect(confusion.compute().flat().reduce((sum, count) => sum + count, 0)).toBe(256);
    const accuracy = logs.accuracy!;
    const diagonal = confusion.compute().reduce((sum, row, i) => sum + row[i]!, 0);
    expect(accuracy).toBe(diagonal / 256);
  });

  it('is deterministic in evaluation mode (no random mask)', () => {
    const { model, validation } = setup();
    expect(evaluate(model, validation, { loss: crossEntropy })).toEqual(evaluate(model, validation, { loss: crossEntropy }));
  });
});
