import { Generator, manualSeed } from '@strata/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrainingRun } from './callback.js';
import { DataLoader } from './data-loader.js';
import { TensorDataset } from './dataset.js';
import { fit } from './fit.js';
import { Accuracy } from './metrics.js';
import { ProgressBar, formatDuration, isCI } from './progress.js';
import { MomentumSgd, NoisyLinear, blobs, captureStream, crossEntropy } from './train-test-support.js';

function fakeRun(stepsPerEpoch: number | null): TrainingRun {
  return { epoch: 0, epochs: 3, stepsPerEpoch } as TrainingRun;
}

/** Drives one epoch of `steps` batches of 32 samples, loss 0.5, 100 ms each. */
function driveEpoch(bar: ProgressBar, run: TrainingRun, steps: number, clock: { now: number }): void {
  bar.onEpochBegin();
  for (let batch = 0; batch < steps; batch++) {
    clock.now += 100;
    bar.onBatchEnd(batch, { loss: 0.5, size: 32 }, run);
  }
  bar.onEpochEnd(0, { epoch: 0, loss: 0.5, accuracy: 0.75, lr: 0.1, seconds: 1 }, run);
}

const savedCI = process.env.CI;
afterEach(() => {
  if (savedCI === undefined) delete process.env.CI;
  else process.env.CI = savedCI;
});

describe('ProgressBar', () => {
  it('prints plain lines when the stream is not a terminal: a few evenly spaced steps, then the epoch summary', () => {
    const { stream, text } = captureStream(false);
    const clock = { now: 0 };
    const bar = new ProgressBar({ stream, clock: () => clock.now });
    expect(bar.interactive).toBe(false);
    driveEpoch(bar, fakeRun(10), 10, clock);
    // 4 lines at steps ceil(k·10/5) = 2, 4, 6, 8. At step 2: 64 samples in 0.2 s = 320 samples/s; 8 steps left at 0.1 s = 0:01.
    expect(text().split('\n')).toEqual([
      'epoch 1/3  step 2/10  loss 0.5000  320 samples/s  0:01 left',
      'epoch 1/3  step 4/10  loss 0.5000  320 samples/s  0:01 left',
      'epoch 1/3  step 6/10  loss 0.5000  320 samples/s  0:00 left',
      'epoch 1/3  step 8/10  loss 0.5000  320 samples/s  0:00 left',
      'epoch 1/3  10/10  loss 0.5000  accuracy 0.7500  1.0 s',
      '',
    ]);
    expect(text().includes('\r') || text().includes('\x1b')).toBe(false);
  });

  it('prints plain lines on a terminal when CI is set', () => {
    process.env.CI = 'true';
    const { stream } = captureStream(true);
    expect(new ProgressBar({ stream }).interactive).toBe(false);
    delete process.env.CI;
    expect(new ProgressBar({ stream }).interactive).toBe(true);
    process.env.CI = 'false';
    expect(new ProgressBar({ stream }).interactive).toBe(true);
  });

  it('on a terminal, redraws one line in place with a bar, then ends the epoch with its summary line', () => {
    const { stream, text } = captureStream(true);
    const clock = { now: 0 };
    const bar = new ProgressBar({ stream, interactive: true, clock: () => clock.now, barWidth: 10, refreshMs: 500 });
    driveEpoch(bar, fakeRun(4), 4, clock);
    const frames = text().split('\r').filter((frame) => frame.length > 0);
    // Draws at the first step (100 ms), not again within 500 ms except at the last step (400 ms); then the summary, timed by the bar's clock.
    expect(frames).toEqual([
      'epoch 1/3  [==>       ] 1/4  loss 0.5000  320 samples/s  0:00 left\x1b[K',
      'epoch 1/3  [==========] 4/4  loss 0.5000  320 samples/s  0:00 left\x1b[K',
      'epoch 1/3  4/4  loss 0.5000  accuracy 0.7500  0.4 s\x1b[K\n',
    ]);
  });

  it('without a known epoch length prints no step lines in plain mode, only the summary', () => {
    const { stream, text } = captureStream(false);
    const clock = { now: 0 };
    const bar = new ProgressBar({ stream, clock: () => clock.now });
    driveEpoch(bar, fakeRun(null), 5, clock);
    expect(text()).toBe('epoch 1/3  5/5  loss 0.5000  accuracy 0.7500  0.5 s\n');
  });

  it('is what fit shows by default, on the stream it is given', async () => {
    manualSeed(0);
    const { stream, text } = captureStream(false);
    const data = blobs(64, new Generator(1));
    const model = new NoisyLinear(2, 4);
    await fit(model, {
      train: new DataLoader(new TensorDataset(data.inputs, data.targets), { batchSize: 8 }),
      loss: crossEntropy,
      optimizer: new MomentumSgd(model.parameters()),
      epochs: 2,
      metrics: [new Accuracy()],
      progress: { stream, linesPerEpoch: 1 },
    });
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^epoch 1\/2 {2}step 4\/8 {2}loss \d\.\d{4} {2}\d+ samples\/s {2}\d:\d\d left$/);
    expect(lines[1]).toMatch(/^epoch 1\/2 {2}8\/8 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}\d+\.\d s$/);
    expect(lines[3]).toMatch(/^epoch 2\/2 {2}8\/8 /);
  });
});

describe('formatDuration and isCI', () => {
  it('formats m:ss and h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61.4)).toBe('1:01');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('reads CI as set unless empty, 0 or false', () => {
    expect(isCI({ CI: 'true' })).toBe(true);
    expect(isCI({ CI: '1' })).toBe(true);
    expect(isCI({ CI: 'false' })).toBe(false);
    expect(isCI({ CI: '0' })).toBe(false);
    expect(isCI({})).toBe(false);
  });
});
