import '@strata/autograd';
import { CrossEntropyLoss } from '@strata/losses';
import type { Module, Sequential } from '@strata/module';
import { Adam } from '@strata/optim';
import { type Tensor, manualSeed, randint, randn } from '@strata/tensor';
import { createCnn } from './model.js';

/** Milliseconds spent in each part of one training step, median over the timed steps. */
export interface StepProfile {
  /** One row per layer: its forward time and the backward time of its input's gradient. */
  layers: { name: string; forwardMs: number; backwardMs: number }[];
  lossForwardMs: number;
  lossBackwardMs: number;
  optimizerMs: number;
  totalMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Times one training step of the CNN (batch 64, Adam) layer by layer: each
 * layer's forward, and its backward (the time from its output's gradient
 * being ready to its input's gradient being ready, measured with gradient
 * hooks), the loss, and the optimizer step. For finding where a step's time
 * goes; the layer engineers act on it.
 */
export function profileCnnStep(steps = 5, batchSize = 64): StepProfile {
  manualSeed(0);
  const model: Sequential = createCnn();
  const layers = [...model.children()] as Module[];
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const lossModule = new CrossEntropyLoss();
  const input = randn([batchSize, 1, 28, 28]);
  const target = randint(0, 10, [batchSize]);
  const forward: number[][] = layers.map(() => []);
  const backward: number[][] = layers.map(() => []);
  const lossForward: number[] = [];
  const lossBackward: number[] = [];
  const optimizerTimes: number[] = [];
  const totals: number[] = [];
  for (let step = 0; step < steps + 1; step++) {
    const started = performance.now();
    // ready[i]: when the gradient of layer i's output was ready (ready[layers.length] is the loss's input's).
    const ready: number[] = new Array(layers.length + 1).fill(Number.NaN);
    let x: Tensor = input;
    const forwardTimes: number[] = [];
    for (let i = 0; i < layers.length; i++) {
      const before = performance.now();
      x = layers[i]!.forward(x) as Tensor;
      forwardTimes.push(performance.now() - before);
      const index = i;
      if (x.requiresGrad) x.registerHook(() => void (ready[index] = performance.now()));
    }
    const beforeLoss = performance.now();
    const loss = lossModule.forward(x, target);
    const lossForwardTime = performance.now() - beforeLoss;
    optimizer.zeroGrad();
    const beforeBackward = performance.now();
    loss.backward();
    const afterBackward = performance.now();
    const beforeStep = performance.now();
    optimizer.step();
    const stepTime = performance.now() - beforeStep;
    if (step === 0) continue; // warm-up
    totals.push(performance.now() - started);
    lossForward.push(lossForwardTime);
    lossBackward.push(ready[layers.length - 1]! - beforeBackward);
    optimizerTimes.push(stepTime);
    for (let i = 0; i < layers.length; i++) {
      forward[i]!.push(forwardTimes[i]!);
      // Layer i's backward runs from its output's gradient (ready[i]) to its input's (ready[i - 1]; for the first layer, the end of backward).
      const end = i === 0 ? afterBackward : ready[i - 1]!;
      backward[i]!.push(end - ready[i]!);
    }
  }
  return {
    layers: layers.map((layer, i) => ({ name: `${i}: ${layer.getName()}`, forwardMs: median(forward[i]!), backwardMs: median(backward[i]!) })),
    lossForwardMs: median(lossForward),
    lossBackwardMs: median(lossBackward),
    optimizerMs: median(optimizerTimes),
    totalMs: median(totals),
  };
}

/** The profile as a table. */
export function formatProfile(profile: StepProfile): string {
  const rows = [
    ...profile.layers.map((layer) => [layer.name, layer.forwardMs, layer.backwardMs] as const),
    ['loss (CrossEntropyLoss)', profile.lossForwardMs, profile.lossBackwardMs] as const,
    ['optimizer (Adam step)', profile.optimizerMs, Number.NaN] as const,
  ];
  const lines = ['layer                       forward ms  backward ms'];
  for (const [name, forwardMs, backwardMs] of rows) {
    lines.push(`${name.padEnd(28)}${forwardMs.toFixed(1).padStart(10)}${(Number.isNaN(backwardMs) ? '' : backwardMs.toFixed(1)).padStart(13)}`);
  }
  lines.push(`${'total step'.padEnd(28)}${profile.totalMs.toFixed(1).padStart(10)}`);
  return lines.join('\n');
}
