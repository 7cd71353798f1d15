import '@strata/autograd';
import { CrossEntropyLoss } from '@strata/losses';
import { Adam } from '@strata/optim';
import { type Tensor, manualSeed, randint, randn } from '@strata/tensor';

import { createCnn } from './model.js';

/** One reading of the process's memory, in bytes, after a forced collection when one is available. */
export interface MemorySample {
  /** How many training steps had run. */
  readonly step: number;
  /** V8's used heap. */
  readonly heapUsed: number;
  /** Memory held by `ArrayBuffer`s (tensor storages live there). */
  readonly arrayBuffers: number;
  /** The resident set size of the process. */
  readonly rss: number;
}

/** What {@link soakCnn} runs. */
export interface SoakOptions {
  /** Training steps to run. */
  readonly steps: number;
  /** Images per step. @defaultValue 16 */
  readonly batchSize?: number;
  /** A sample is taken every this many steps (and before the first). @defaultValue 500 */
  readonly every?: number;
  /** The collector to run before each sample; without one the samples include garbage not yet collected. */
  readonly collect?: () => void;
  /** Called with each sample as it is taken. */
  readonly onSample?: (sample: MemorySample) => void;
}

/**
 * Trains the CNN of the benchmark list in a plain synchronous loop — no
 * `await`, no `fit()` — the loop a PyTorch user writes first, and samples the
 * process's memory along the way. The graph must free each step's tensors by
 * itself for the samples to stay flat.
 */
export function soakCnn(options: SoakOptions): MemorySample[] {
  const batchSize = options.batchSize ?? 16;
  const every = options.every ?? 500;
  manualSeed(0);
  const net = createCnn();
  const lossFunction = new CrossEntropyLoss();
  const optimizer = new Adam(net.parameters(), { lr: 1e-3 });
  const images = randn([batchSize, 1, 28, 28]);
  const labels = randint(0, 10, [batchSize]);
  const samples: MemorySample[] = [];
  const sample = (step: number): void => {
    options.collect?.();
    const usage = process.memoryUsage();
    const taken = { step, heapUsed: usage.heapUsed, arrayBuffers: usage.arrayBuffers, rss: usage.rss };
    samples.push(taken);
    options.onSample?.(taken);
  };
  sample(0);
  for (let step = 1; step <= options.steps; step++) {
    optimizer.zeroGrad();
    const loss: Tensor = lossFunction.forward(net.forward(images), labels);
    loss.backward();
    optimizer.step();
    if (step % every === 0) sample(step);
  }
  return samples;
}

/** The garbage collector, exposed at run time (`--expose-gc` made callable), or `undefined` where V8 refuses. */
export async function exposedGarbageCollector(): Promise<(() => void) | undefined> {
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') return global.gc;
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const collector = vm.runInNewContext('gc') as unknown;
  return typeof collector === 'function' ? (collector as () => void) : undefined;
}
