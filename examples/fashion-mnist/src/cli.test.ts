import { describe, expect, it } from 'vitest';
import { DEFAULT_PLOT, parseDemoArguments } from './cli.js';
import { History } from '@strata/train';
import { SHIPPED_DATA, curvesSvg } from './demo.js';
import { niceTicks } from './svg.js';

describe('the command line', () => {
  it('defaults to the shipped data and the curves in out/', () => {
    const options = parseDemoArguments([], '/work');
    expect(options).toMatchObject({ dataDirectory: SHIPPED_DATA, epochs: 1, batchSize: 64, lr: 1e-3, scheduler: 'none', subset: null, plot: DEFAULT_PLOT });
  });

  it('reads every option, paths relative to the given folder', () => {
    const options = parseDemoArguments(
      ['--', '--data', 'fmnist', '--epochs', '10', '--batch-size', '128', '--lr', '5e-4', '--scheduler', 'cosine', '--subset', '500', '--save', 'm.safetensors'],
      '/home/me',
    );
    expect(options).toMatchObject({
      dataDirectory: '/home/me/fmnist',
      epochs: 10,
      batchSize: 128,
      lr: 5e-4,
      scheduler: 'cosine',
      subset: 500,
      save: '/home/me/m.safetensors',
    });
    expect(parseDemoArguments(['--help'])).toBe('help');
  });

  it('rejects bad values, naming the option', () => {
    expect(() => parseDemoArguments(['--epochs', '0'])).toThrow(new RangeError("--epochs expects an integer >= 1, got '0'"));
    expect(() => parseDemoArguments(['--lr=-1'])).toThrow(new RangeError("--lr expects a positive number, got '-1'"));
    expect(() => parseDemoArguments(['--scheduler', 'step'])).toThrow(new RangeError("--scheduler expects none or cosine, got 'step'"));
    expect(() => parseDemoArguments(['--bogus'])).toThrow(TypeError);
  });
});

describe('niceTicks', () => {
  it('picks round steps of 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.31, 2.3)).toEqual([0.5, 1, 1.5, 2]);
    expect(niceTicks(1, 3)).toEqual([1, 1.5, 2, 2.5, 3]);
  });
});

describe('curvesSvg', () => {
  it('draws the smoothed batch losses as a line and the per-epoch figures as dots, in two panels', () => {
    const history = new History(
      [
        { epoch: 0, loss: 1, accuracy: 0.6, valLoss: 0.8, valAccuracy: 0.7 },
        { epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.75 },
      ],
      false,
    );
    const svg = curvesSvg(history, [2, 1.5, 0.7, 0.5], 2);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="880" height="320"')).toBe(true);
    expect(svg).toContain('>Loss</text>');
    expect(svg).toContain('>Accuracy</text>');
    // Lines: the batch curve, the dashed epoch-mean loss, the test loss, the two accuracy series.
    expect(svg.match(/<path d="M/g)).toHaveLength(5);
    // Dots: 2 epochs x (train loss, test loss, train accuracy, test accuracy).
    expect(svg.match(/<circle /g)).toHaveLength(8);
    expect(svg.endsWith('</svg>\n')).toBe(true);
  });
});
