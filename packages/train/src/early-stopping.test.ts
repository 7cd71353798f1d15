import { Generator, type Tensor, manualSeed } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import type { Callback } from './callback.js';
import { DataLoader } from './data-loader.js';
import { TensorDataset } from './dataset.js';
import { EarlyStopping } from './early-stopping.js';
import { fit } from './fit.js';
import { MomentumSgd, NoisyLinear, blobs, crossEntropy } from './train-test-support.js';

/** Overwrites a logged figure with a scripted sequence, so the stopping rule can be checked by hand. */
function scripted(name: string, values: number[]): Callback {
  return {
    onEpochEnd: (epoch, logs) => {
      logs[name] = values[epoch]!;
    },
  };
}

function snapshots(store: Record<string, Tensor>[]): Callback {
  return {
    onEpochEnd: (_epoch, _logs, run) => {
      const copy: Record<string, Tensor> = {};
      for (const [key, value] of Object.entries(run.model.stateDict())) copy[key] = value.clone();
      store.push(copy);
    },
  };
}

async function train(callbacks: Callback[], epochs: number) {
  manualSeed(0);
  const data = blobs(64, new Generator(3));
  const model = new NoisyLinear(2, 4);
  const history = await fit(model, {
    train: new DataLoader(new TensorDataset(data.inputs, data.targets), { batchSize: 16 }),
    loss: crossEntropy,
    optimizer: new MomentumSgd(model.parameters(), 0.05),
    epochs,
    callbacks,
    progress: false,
  });
  return { model, history };
}

describe('EarlyStopping', () => {
  it('stops after patience epochs without an improvement larger than minDelta', async () => {
    // min mode, patience 2, minDelta 0.1: 1.0 best; 0.95 not < 0.9 (wait 1); 0.85 < 0.9 best (wait 0);
    // 0.9 not < 0.75 (wait 1); 0.8 not < 0.75 (wait 2 -> stop after epoch 4).
    const stopping = new EarlyStopping({ monitor: 'valLoss', patience: 2, minDelta: 0.1 });
    const { history } = await train([scripted('valLoss', [1, 0.95, 0.85, 0.9, 0.8, 0.78, 0.7]), stopping], 7);
    expect(history.epochs).toHaveLength(5);
    expect(history.stoppedEarly).toBe(true);
    expect(stopping.stoppedEpoch).toBe(4);
    expect(stopping.bestEpoch).toBe(2);
    expect(stopping.best).toBe(0.85);
  });

  it("mode 'auto' maximizes accuracy-like figures; patience 0 stops at the first non-improvement", async () => {
    const stopping = new EarlyStopping({ monitor: 'valAccuracy' });
    expect(stopping.mode).toBe('max');
    const { history } = await train([scripted('valAccuracy', [0.5, 0.6, 0.6, 0.7]), stopping], 4);
    expect(history.epochs).toHaveLength(3);
    expect(stopping.bestEpoch).toBe(1);
  });

  it('a baseline must be beaten to count as an improvement', async () => {
    const stopping = new EarlyStopping({ monitor: 'loss', patience: 2, baseline: 0.5 });
    const { history } = await train([scripted('loss', [0.9, 0.8, 0.7, 0.6]), stopping], 4);
    expect(history.epochs).toHaveLength(2);
    expect(stopping.bestEpoch).toBe(-1);
  });

  it('restoreBestWeights leaves the model with the best epoch’s weights', async () => {
    const store: Record<string, Tensor>[] = [];
    const stopping = new EarlyStopping({ monitor: 'valLoss', patience: 2, restoreBestWeights: true });
    const { model } = await train([scripted('valLoss', [3, 1, 2, 2.5, 0.5]), snapshots(store), stopping], 5);
    expect(stopping.bestEpoch).toBe(1);
    expect(store).toHaveLength(4);
    const final = model.stateDict();
    for (const key of Object.keys(final)) {
      expect(Array.from(final[key]!.toTypedArray())).toEqual(Array.from(store[1]![key]!.toTypedArray()));
      expect(Array.from(final[key]!.toTypedArray())).not.toEqual(Array.from(store[3]![key]!.toTypedArray()));
    }
  });

  it('says which figures there are when the monitored one is missing', async () => {
    await expect(train([new EarlyStopping()], 1)).rejects.toThrow(
      "EarlyStopping: the epoch's logs have no 'valLoss' (they have epoch, loss, lr, seconds); monitor one of those, or give fit validation data for the val… figures",
    );
  });

  it('rejects a bad patience or mode', () => {
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(new RangeError('EarlyStopping: patience must be a non-negative integer, got -1'));
    expect(() => new EarlyStopping({ mode: 'lowest' as never })).toThrow(new RangeError(`EarlyStopping: mode must be 'min', 'max' or 'auto', got "lowest"`));
  });
});
