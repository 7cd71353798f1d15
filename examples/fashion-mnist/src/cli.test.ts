import { describe, expect, it } from 'vitest';
import { DEFAULT_PLOT, parseDemoArguments } from './cli.js';
import { SHIPPED_DATA } from './demo.js';
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
