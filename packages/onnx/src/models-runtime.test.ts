/**
 * Whole models exported and run in ONNX Runtime: the CNN of the benchmark
 * list, an MLP and an embedding model, each exported with a batch of 2 and
 * a dynamic batch dimension, then run with other batch sizes.
 */
import '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Embedding, Flatten, GELU, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d, LayerNorm } from '@strata/layers-norm';
import { Module, Sequential } from '@strata/module';
import { type Tensor, manualSeed, randint, randn } from '@strata/tensor';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { exportOnnx } from './index.js';
import { randomizeWeights } from './layer-test-support.js';
import { expectRuntimeMatch, largestDifference, runInRuntime } from './runtime-test-support.js';

/** The CNN of the benchmark list (WORKLOADS.md). */
function benchmarkCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2),
    new Conv2d(32, 64, 3), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dropout(0.25), new Linear(1600, 128), new ReLU(), new Linear(128, 10),
  );
}

/** A model of your own: a forward that only chains submodules, with two inputs and two outputs. */
class TwoTower extends Module {
  tokens = new Sequential(new Embedding(50, 8), new Flatten(), new Linear(6 * 8, 16));
  features = new Sequential(new Linear(5, 16), new LayerNorm(16), new GELU());
  head = new Linear(16, 3);

  forward(ids: Tensor, x: Tensor): [Tensor, Tensor] {
    return [this.head.forward(this.tokens.forward(ids)), this.head.forward(this.features.forward(x))];
  }
}

const dynamicBatch = { input: { 0: 'batch' }, output: { 0: 'batch' } };

beforeEach(() => manualSeed(3));

afterAll(() => {
  console.log(`largest |Strata − ONNX Runtime| over the models: ${largestDifference.value.toExponential(2)} (${largestDifference.where})`);
});

describe('models run in ONNX Runtime as in Strata, with a dynamic batch size', () => {
  it('the benchmark CNN (batches 2 → 5 and 1)', async () => {
    const model = benchmarkCnn();
    randomizeWeights(model);
    model.train();
    for (let step = 0; step < 2; step++) model.forward(randn([4, 1, 28, 28]));
    // The trace runs in evaluation mode and leaves the model as it was: training mode, running statistics.
    const runningMean = model.getBuffer('4.running_mean').tolist();
    exportOnnx(model, randn([2, 1, 28, 28]));
    expect(model.modules().every((module) => module.training)).toBe(true);
    expect(model.getBuffer('4.running_mean').tolist()).toEqual(runningMean);
    for (const batch of [5, 1]) {
      await expectRuntimeMatch(`CNN batch ${batch}`, model, [randn([2, 1, 28, 28])], {
        exportOptions: { dynamicAxes: dynamicBatch },
        runInputs: [randn([batch, 1, 28, 28])],
      });
    }
  });

  it('an MLP 784-256-256-10 (batch 2 → 7)', async () => {
    const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(), new Linear(256, 10));
    await expectRuntimeMatch('MLP', model, [randn([2, 784])], {
      exportOptions: { dynamicAxes: dynamicBatch, inputNames: ['input'], outputNames: ['output'] },
      runInputs: [randn([7, 784])],
    });
  });

  it('an embedding model (batch 2 → 9)', async () => {
    const model = new Sequential(new Embedding(1000, 16, { paddingIdx: 0 }), new Flatten(), new Linear(8 * 16, 32), new GELU(), new Dropout(0.1), new Linear(32, 4));
    await expectRuntimeMatch('embedding model', model, [randint(0, 1000, [2, 8])], {
      exportOptions: { dynamicAxes: dynamicBatch },
      runInputs: [randint(0, 1000, [9, 8])],
    });
  });

  it('a module of your own with two inputs and two outputs, dynamic axes as lists', async () => {
    const model = new TwoTower();
    await expectRuntimeMatch('TwoTower', model, [randint(0, 50, [2, 6]), randn([2, 5])], {
      exportOptions: {
        inputNames: ['ids', 'x'],
        outputNames: ['fromIds', 'fromX'],
        dynamicAxes: { ids: [0], x: [0], fromIds: [0], fromX: [0] },
      },
      runInputs: [randint(0, 50, [4, 6]), randn([4, 5])],
    });
  });

  it('a fixed batch size stays fixed', async () => {
    const bytes = exportOnnx(new Sequential(new Linear(3, 2)), randn([2, 3]));
    await expect(runInRuntime(bytes, [randn([4, 3])])).rejects.toThrow(/dimension|Got invalid dimensions/i);
    expect((await runInRuntime(bytes, [randn([2, 3])]))[0]!.dims).toEqual([2, 2]);
  });
});
