import '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Flatten, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d } from '@strata/layers-norm';
import { CrossEntropyLoss } from '@strata/losses';
import { Sequential } from '@strata/module';
import { Adam } from '@strata/optim';
import { type Tensor, manualSeed, randint, randn } from '@strata/tensor';
import { beforeAll, describe, expect, it } from 'vitest';

import { exposedGarbageCollector, soakCnn } from './soak.js';

const MIB = 2 ** 20;
let collect: () => void;

beforeAll(async () => {
  const collector = await exposedGarbageCollector();
  if (collector === undefined) throw new Error('these tests need a garbage collector they can call (node --expose-gc)');
  collect = collector;
});

/** The bytes held by live objects after a full collection: V8's heap plus tensor storages. */
function liveBytes(): { heap: number; buffers: number } {
  collect();
  collect();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

function smallCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 8, 3),
    new BatchNorm2d(8),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(8 * 7 * 7, 10),
  );
}

const bytesOf = (tensor: Tensor): number => tensor.numel() * 4;

describe('memory of a plain synchronous training loop', () => {
  it('stays flat over 2,000 steps with no await between them', () => {
    manualSeed(0);
    const net = smallCnn();
    const lossFunction = new CrossEntropyLoss();
    const optimizer = new Adam(net.parameters(), { lr: 1e-3 });
    const images = randn([8, 1, 16, 16]);
    const labels = randint(0, 10, [8]);
    const step = (): number => {
      optimizer.zeroGrad();
      const loss = lossFunction.forward(net.forward(images), labels);
      loss.backward();
      optimizer.step();
      return loss.item();
    };
    // Warm-up: optimizer state, kernel caches and compiled code exist before the first reading.
    for (let i = 0; i < 20; i++) step();
    const before = liveBytes();
    const firstLoss = step();
    let lastLoss = firstLoss;
    for (let i = 1; i < 2000; i++) lastLoss = step();
    const after = liveBytes();
    // Each step's graph holds ~100 KB of activations: a loop that kept them would grow by ~200 MB.
    expect(after.buffers - before.buffers).toBeLessThan(20 * MIB);
    expect(after.heap - before.heap).toBeLessThan(20 * MIB);
    expect(lastLoss).toBeLessThan(firstLoss);
  });

  it('holds at most twice the activations a step needs, and twice the gradients after backward', () => {
    manualSeed(1);
    const net = smallCnn();
    const lossFunction = new CrossEntropyLoss();
    const optimizer = new Adam(net.parameters(), { lr: 1e-3 });
    const images = randn([32, 1, 16, 16]);
    const labels = randint(0, 10, [32]);
    // One step first, so Adam's moment buffers exist before the baseline.
    lossFunction.forward(net.forward(images), labels).backward();
    optimizer.step();
    optimizer.zeroGrad();

    // What the step needs: every layer's output (what backward may read) and one gradient per parameter.
    let activationBytes = 0;
    let activation: Tensor = images;
    for (const layer of net.children()) {
      activation = layer.forward(activation) as Tensor;
      activationBytes += bytesOf(activation);
    }
    const gradientBytes = net.parameters().reduce((total, parameter) => total + bytesOf(parameter), 0);
    activation = images;

    const baseline = liveBytes().buffers;
    const loss = lossFunction.forward(net.forward(images), labels);
    const afterForward = liveBytes().buffers - baseline;
    loss.backward();
    const afterBackward = liveBytes().buffers - baseline;
    expect(afterForward).toBeGreaterThan(0);
    expect(afterForward).toBeLessThanOrEqual(2 * activationBytes);
    expect(afterBackward).toBeLessThanOrEqual(2 * gradientBytes);
    optimizer.step();
  });

  it('keeps the benchmark CNN flat in the soak loop', () => {
    const samples = soakCnn({ steps: 150, batchSize: 4, every: 50, collect: () => liveBytes() });
    const first = samples[1]!;
    const last = samples[samples.length - 1]!;
    expect(samples.map((sample) => sample.step)).toEqual([0, 50, 100, 150]);
    expect(last.arrayBuffers - first.arrayBuffers).toBeLessThan(8 * MIB);
  });
});
