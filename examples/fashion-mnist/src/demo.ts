import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@strata/autograd';
import { CrossEntropyLoss } from '@strata/losses';
import { saveSafetensorsFile } from '@strata/module/node';
import { Adam, CosineAnnealingLR } from '@strata/optim';
import { Generator, manualSeed } from '@strata/tensor';
import {
  Accuracy,
  type Callback,
  ConfusionMatrix,
  DataLoader,
  FASHION_MNIST_CLASSES,
  type History,
  ModelCheckpoint,
  type ProgressBarOptions,
  fit,
  formatConfusionMatrix,
} from '@strata/train';
import { loadFashionMnist } from '@strata/train/node';
import { createCnn } from './model.js';
import { renderChartSvg } from './svg.js';

/** The shipped subset: the first 6,000 training and 1,000 test images of Fashion-MNIST, gzipped IDX. */
export const SHIPPED_DATA = fileURLToPath(new URL('../data', import.meta.url));

/** What the demo does; the command line sets these (see `cli.ts`). */
export interface DemoOptions {
  /** A folder with the four Fashion-MNIST IDX files (`.gz` or not). */
  dataDirectory: string;
  epochs: number;
  batchSize: number;
  lr: number;
  /** `cosine`: CosineAnnealingLR over the epochs, stepped once per epoch. */
  scheduler: 'none' | 'cosine';
  /** Train on the first `subset` training images only. */
  subset: number | null;
  /** Evaluate on the first `testSubset` test images only. */
  testSubset: number | null;
  seed: number;
  /** Where to save the trained model's state dict (safetensors), if anywhere. */
  save: string | null;
  /** Where to write the SVG of the curves, if anywhere. */
  plot: string | null;
  /** Where to save a checkpoint after every epoch (resumable with `resume`), if anywhere. */
  checkpoint: string | null;
  /** A checkpoint to go on from. */
  resume: string | null;
  /** The progress bar's options, or false for none. */
  progress: boolean | ProgressBarOptions;
  log: (line: string) => void;
}

/** What the demo measured. */
export interface DemoResult {
  history: History;
  /** The loss of every training batch, in order. */
  batchLosses: number[];
  testLoss: number;
  testAccuracy: number;
  /** Rows: true class; columns: predicted class; over the test images. */
  confusion: number[][];
  trainSize: number;
  testSize: number;
  seconds: number;
}

/** The demo's defaults: the shipped subset, one epoch (about a minute on two cores), Adam lr 1e-3, batch 64, seed 0. */
export const defaultDemoOptions: Readonly<DemoOptions> = Object.freeze({
  dataDirectory: SHIPPED_DATA,
  epochs: 1,
  batchSize: 64,
  lr: 1e-3,
  scheduler: 'none',
  subset: null,
  testSubset: null,
  seed: 0,
  save: null,
  plot: null,
  checkpoint: null,
  resume: null,
  progress: true,
  log: (line: string) => console.log(line),
});

/** A running mean over the last `window` values, to plot a noisy per-batch loss. */
function smooth(values: readonly number[], window: number): number[] {
  const result: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    result.push(sum / Math.min(i + 1, window));
  }
  return result;
}

/** The loss and accuracy curves as an SVG document. */
export function curvesSvg(history: History, batchLosses: readonly number[], stepsPerEpoch: number): string {
  const epochs = history.epochs.map((logs) => logs.epoch! + 1);
  const at = (name: string): [number, number][] => history.series(name).map((value, i) => [epochs[i]!, value]);
  // A resumed run's history starts before its batch losses do: they belong to its last epochs.
  const firstEpoch = Math.max(0, history.epochs.length - Math.ceil(batchLosses.length / stepsPerEpoch));
  const window = Math.max(1, Math.round(stepsPerEpoch / 10));
  const batchCurve = smooth(batchLosses, window).map((value, i): [number, number] => [firstEpoch + (i + 1) / stepsPerEpoch, value]);
  return renderChartSvg([
    {
      title: 'Loss',
      xLabel: 'epoch',
      yLabel: 'cross-entropy',
      series: [
        { name: `train (mean of ${window} batches)`, points: batchCurve, color: '#1f77b4' },
        { name: 'train, epoch mean', points: at('loss'), color: '#1f77b4', markers: true, dashed: true },
        { name: 'test', points: at('valLoss'), color: '#d62728', markers: true },
      ],
    },
    {
      title: 'Accuracy',
      xLabel: 'epoch',
      yLabel: 'accuracy',
      series: [
        { name: 'train', points: at('accuracy'), color: '#1f77b4', markers: true },
        { name: 'test', points: at('valAccuracy'), color: '#d62728', markers: true },
      ],
    },
  ]);
}

/**
 * Trains the CNN of WORKLOADS.md on Fashion-MNIST with `@strata/train`:
 * Adam, cross-entropy, the test set evaluated after every epoch; then
 * prints the test accuracy and the confusion matrix, and writes the curves.
 */
export async function runDemo(overrides: Partial<DemoOptions> = {}): Promise<DemoResult> {
  const options: DemoOptions = { ...defaultDemoOptions, ...overrides };
  const log = options.log;
  const started = performance.now();
  const train = loadFashionMnist(options.dataDirectory, { split: 'train', ...(options.subset === null ? {} : { limit: options.subset }) });
  const test = loadFashionMnist(options.dataDirectory, { split: 'test', ...(options.testSubset === null ? {} : { limit: options.testSubset }) });
  const shipped = options.dataDirectory === SHIPPED_DATA ? ' (the subset shipped with the example)' : '';
  log(`Fashion-MNIST: ${train.length} training and ${test.length} test images from ${options.dataDirectory}${shipped}`);

  manualSeed(options.seed);
  const model = createCnn();
  const optimizer = new Adam(model.parameters(), { lr: options.lr });
  const scheduler = options.scheduler === 'cosine' ? new CosineAnnealingLR(optimizer, options.epochs) : null;
  const trainLoader = new DataLoader(train, { batchSize: options.batchSize, shuffle: true, generator: new Generator(options.seed) });
  const testLoader = new DataLoader(test, { batchSize: 500 });
  log(
    `Model: the CNN of WORKLOADS.md, ${model.numParameters().toLocaleString('en-US')} parameters; Adam lr ${options.lr}` +
      `${scheduler === null ? '' : ' with cosine annealing'}, batch ${options.batchSize}, ${options.epochs} epoch${options.epochs === 1 ? '' : 's'}, seed ${options.seed}`,
  );

  const batchLosses: number[] = [];
  const recorder: Callback = { onBatchEnd: (_batch, logs) => void batchLosses.push(logs.loss) };
  const confusion = new ConfusionMatrix(10);
  const history = await fit(model, {
    train: trainLoader,
    validation: testLoader,
    loss: new CrossEntropyLoss(),
    optimizer,
    scheduler,
    epochs: options.epochs,
    metrics: [new Accuracy(), confusion],
    callbacks: [recorder, ...(options.checkpoint === null ? [] : [new ModelCheckpoint(options.checkpoint)])],
    resumeFrom: options.resume,
    progress: options.progress,
  });

  const last = history.last;
  const testLoss = last?.valLoss ?? Number.NaN;
  const testAccuracy = last?.valAccuracy ?? Number.NaN;
  log(`\nTest accuracy ${testAccuracy.toFixed(4)}, loss ${testLoss.toFixed(4)} (${test.length} images)`);
  log('Confusion matrix of the test images (rows: true class, columns: predicted class):');
  log(formatConfusionMatrix(confusion.compute(), FASHION_MNIST_CLASSES));

  if (options.plot !== null && history.epochs.length > 0) {
    mkdirSync(dirname(options.plot), { recursive: true });
    writeFileSync(options.plot, curvesSvg(history, batchLosses, trainLoader.length));
    log(`Wrote the loss and accuracy curves to ${options.plot}`);
  }
  if (options.save !== null) {
    mkdirSync(dirname(options.save), { recursive: true });
    saveSafetensorsFile(options.save, model.stateDict(), { format: 'pt' });
    log(`Saved the model's state dict to ${options.save} (safetensors, PyTorch's key names)`);
  }
  const seconds = (performance.now() - started) / 1000;
  log(`Done in ${seconds.toFixed(1)} s`);
  return { history, batchLosses, testLoss, testAccuracy, confusion: confusion.compute(), trainSize: train.length, testSize: test.length, seconds };
}
