import { gradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, manualSeed, ones, randn, zeros } from '@strata/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlphaDropout,
  Dropout,
  Dropout1d,
  Dropout2d,
  Dropout3d,
  FeatureAlphaDropout,
  alphaDropout,
  dropout,
  dropout1d,
  dropout2d,
  dropout3d,
  featureAlphaDropout,
  setWarningSink,
} from './index.js';

const SELU_SATURATION = 1.7580993408473766;

/** The fraction of elements that are exactly zero. */
function zeroFraction(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros / values.length;
}

/**
 * Checks that every channel (a run of `channelSize` consecutive elements)
 * is either all zero or all `input · scale` (float32 products), and returns
 * the fraction of zeroed channels.
 */
function checkChannels(input: Tensor, output: Tensor, channelSize: number, scale: number): number {
  const x = input.toTypedArray();
  const y = output.toTypedArray();
  const factor = Math.fround(scale);
  let dropped = 0;
  for (let start = 0; start < x.length; start += channelSize) {
    const zeroed = y[start] === 0;
    if (zeroed) dropped++;
    for (let i = start; i < start + channelSize; i++) {
      const expected = zeroed ? 0 : Math.fround(x[i]! * factor);
      if (y[i] !== expected) throw new Error(`channel at ${start}: element ${i} is ${y[i]}, expected ${expected}`);
    }
  }
  return dropped / (x.length / channelSize);
}

describe('dropout statistics (1e5 draws)', () => {
  for (const p of [0.2, 0.5, 0.75]) {
    it(`Dropout(${p}) zeroes a fraction within 0.01 of p and scales survivors by exactly 1/(1 - p)`, () => {
      manualSeed(1);
      const x = randn([100, 1000]);
      const y = new Dropout(p).forward(x);
      expect(Math.abs(checkChannels(x, y, 1, 1 / (1 - p)) - p)).toBeLessThan(0.01);
    });
  }

  const channelCases: [string, (x: Tensor, p: number) => Tensor, number[], number][] = [
    ['Dropout1d [N, C, L]', (x, p) => new Dropout1d(p).forward(x), [500, 200, 3], 3],
    ['Dropout1d [C, L] (unbatched)', (x, p) => new Dropout1d(p).forward(x), [100000, 2], 2],
    ['Dropout2d [N, C, H, W]', (x, p) => new Dropout2d(p).forward(x), [250, 400, 2, 2], 4],
    ['Dropout3d [N, C, D, H, W]', (x, p) => new Dropout3d(p).forward(x), [100, 1000, 1, 2, 1], 2],
    ['Dropout3d [C, D, H, W] (unbatched)', (x, p) => new Dropout3d(p).forward(x), [100000, 1, 1, 2], 2],
  ];
  for (const [label, run, shape, channelSize] of channelCases) {
    it(`${label} zeroes whole channels, a fraction within 0.01 of p`, () => {
      manualSeed(2);
      const x = randn(shape);
      const y = run(x, 0.3);
      expect(Math.abs(checkChannels(x, y, channelSize, 1 / 0.7) - 0.3)).toBeLessThan(0.01);
    });
  }

  it('AlphaDropout keeps the mean about 0 and the std about 1 of a standard normal input', () => {
    manualSeed(3);
    for (const p of [0.1, 0.5]) {
      const y = new AlphaDropout(p).forward(randn([100000]));
      expect(Math.abs(y.mean().item())).toBeLessThan(0.02);
      expect(Math.abs(y.std().item() - 1)).toBeLessThan(0.02);
    }
  });

  it('AlphaDropout sends a fraction p to α·a·(p − 1) and maps the rest to a·x + α·a·p', () => {
    manualSeed(4);
    const p = 0.3;
    const a = 1 / Math.sqrt((SELU_SATURATION ** 2 * p + 1) * (1 - p));
    const x = randn([100000]);
    const y = alphaDropout(x, { p, training: true }).toTypedArray();
    const input = x.toTypedArray();
    const droppedValue = SELU_SATURATION * a * (p - 1);
    const close = (actual: number, expected: number): boolean => Math.abs(actual - expected) <= 1e-6 * (1 + Math.abs(expected));
    let dropped = 0;
    for (let i = 0; i < y.length; i++) {
      if (close(y[i]!, droppedValue)) dropped++;
      else if (!close(y[i]!, a * input[i]! + SELU_SATURATION * a * p)) throw new Error(`element ${i}: ${y[i]} for input ${input[i]}`);
    }
    expect(Math.abs(dropped / y.length - p)).toBeLessThan(0.01);
  });

  it('FeatureAlphaDropout sets whole channels, a fraction within 0.01 of p, and keeps mean ≈ 0, std ≈ 1', () => {
    manualSeed(5);
    const y = new FeatureAlphaDropout(0.4).forward(randn([1000, 100, 4]));
    const values = y.toTypedArray();
    let dropped = 0;
    for (let start = 0; start < values.length; start += 4) {
      const constant = values[start] === values[start + 1] && values[start] === values[start + 2] && values[start] === values[start + 3];
      if (constant) dropped++;
    }
    expect(Math.abs(dropped / 100000 - 0.4)).toBeLessThan(0.01);
    expect(Math.abs(y.mean().item())).toBeLessThan(0.02);
    expect(Math.abs(y.std().item() - 1)).toBeLessThan(0.02);
  });
});

describe('dropout masks come from the seeded generator', () => {
  const runs: [string, () => Tensor][] = [
    ['dropout', () => dropout(ones([1000]), { p: 0.5 })],
    ['dropout2d', () => dropout2d(ones([10, 50, 2, 2]), { p: 0.5 })],
    ['alphaDropout', () => alphaDropout(ones([1000]), { p: 0.5, training: true })],
    ['Dropout3d', () => new Dropout3d(0.5).forward(ones([10, 50, 1, 1, 2]))],
  ];
  for (const [label, run] of runs) {
    it(`${label}: the same seed gives the same mask, two calls give different ones`, () => {
      manualSeed(42);
      const first = run().toTypedArray();
      const second = run().toTypedArray();
      manualSeed(42);
      expect(run().toTypedArray()).toEqual(first);
      expect(second).not.toEqual(first);
    });
  }
});

describe('dropout modes and edge values', () => {
  it('is the identity (the same tensor) in evaluation mode and for p = 0', () => {
    const x = randn([4, 3, 2, 2]);
    for (const layer of [new Dropout(), new Dropout2d(), new AlphaDropout(), new FeatureAlphaDropout()]) {
      expect(layer.eval().forward(x)).toBe(x);
    }
    expect(new Dropout(0).forward(x)).toBe(x);
    expect(dropout(x, { p: 0.5, training: false })).toBe(x);
    expect(alphaDropout(x, { p: 0.5 })).toBe(x); // PyTorch's default: training = false
    expect(featureAlphaDropout(x, { p: 0.5 })).toBe(x);
  });

  it('gives zeros for p = 1', () => {
    const x = randn([3, 4, 5]);
    for (const output of [
      dropout(x, { p: 1 }),
      dropout1d(x, { p: 1 }),
      dropout3d(x, { p: 1 }),
      alphaDropout(x, { p: 1, training: true }),
      featureAlphaDropout(x, { p: 1, training: true }),
    ]) {
      expect(output.toTypedArray().every((value) => value === 0)).toBe(true);
    }
  });

  it('writes into the input with inplace, and returns it', () => {
    manualSeed(7);
    const x = ones([1000]);
    const y = new Dropout(0.5, { inplace: true }).forward(x);
    expect(y).toBe(x);
    expect(new Set(x.toTypedArray())).toEqual(new Set([0, 2]));
    const channels = ones([20, 30, 4]);
    expect(dropout1d(channels, { p: 0.5, inplace: true })).toBe(channels);
    expect(() => checkChannels(ones([20, 30, 4]), channels, 4, 2)).not.toThrow();
  });

  it('refuses to write into a leaf that requires grad, naming the layer', () => {
    const leaf = ones([4], { requiresGrad: true });
    expect(() => new Dropout(0.5, { inplace: true }).forward(leaf)).toThrow(
      new Error('Dropout: a leaf Variable that requires grad is being used in an in-place operation.'),
    );
    expect(leaf.tolist()).toEqual([1, 1, 1, 1]);
  });

  it('lets the gradient through the mask: the gradient is the mask times 1/(1 − p)', () => {
    manualSeed(8);
    const x = ones([2000], { requiresGrad: true });
    const y = dropout(x, { p: 0.25 });
    y.backward(ones([2000]));
    expect(Array.from(x.grad!.toTypedArray())).toEqual(Array.from(y.toTypedArray()));
    expect(zeroFraction(x.grad!.toTypedArray())).toBeGreaterThan(0.2);
  });

  it('passes gradcheck with a fixed mask (the seed reset before each evaluation)', () => {
    const x = randn([4, 3, 5], { dtype: 'float64', requiresGrad: true });
    const fixed = (run: (input: Tensor) => Tensor) => (input: Tensor) => {
      manualSeed(11);
      return run(input);
    };
    expect(gradcheck(fixed((input) => dropout(input, { p: 0.4 })), [x])).toBe(true);
    expect(gradcheck(fixed((input) => dropout1d(input, { p: 0.4 })), [x])).toBe(true);
    expect(gradcheck(fixed((input) => alphaDropout(input, { p: 0.4, training: true })), [x])).toBe(true);
    expect(gradcheck(fixed((input) => featureAlphaDropout(input, { p: 0.4, training: true })), [x])).toBe(true);
  });
});

describe("PyTorch 1.13's rules for unbatched and odd-rank inputs", () => {
  let warnings: string[] = [];
  let previous: (message: string) => void;
  beforeEach(() => {
    warnings = [];
    previous = setWarningSink((message) => warnings.push(message));
  });
  afterEach(() => {
    setWarningSink(previous);
  });

  it('Dropout2d takes a 3-D input as [N, C, L] and warns once', () => {
    manualSeed(12);
    const x = randn([400, 250, 3]);
    const layer = new Dropout2d(0.5);
    const y = layer.forward(x);
    layer.forward(x);
    expect(Math.abs(checkChannels(x, y, 3, 2) - 0.5)).toBeLessThan(0.01);
    expect(warnings).toEqual([
      'Dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted ' +
        'as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one ' +
        'without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using ' +
        'dropout1d instead.',
    ]);
  });

  it('dropout2d and dropout3d accept other ranks with a deprecation warning', () => {
    dropout2d(randn([4, 6]), { p: 0.5 });
    dropout3d(randn([2, 3, 4]), { p: 0.5 });
    expect(warnings).toEqual([
      'dropout2d: Received a 2-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain ' +
        'the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout ' +
        'on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).',
      'dropout3d: Received a 3-D input to dropout3d, which is deprecated and will result in an error in a future release. To retain ' +
        'the behavior and silence this warning, please use dropout instead. Note that dropout3d exists to provide channel-wise dropout ' +
        'on inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).',
    ]);
  });

  it('Dropout3d takes a 4-D input as unbatched [C, D, H, W]', () => {
    manualSeed(13);
    const x = randn([20000, 1, 1, 3]);
    expect(Math.abs(checkChannels(x, new Dropout3d(0.25).forward(x), 3, 4 / 3) - 0.25)).toBeLessThan(0.015);
    expect(warnings).toEqual([]);
  });
});

describe('dropout errors', () => {
  it('rejects a probability outside [0, 1], naming the layer or op', () => {
    expect(() => new Dropout(1.5)).toThrow(new RangeError('Dropout: dropout probability has to be between 0 and 1, but got 1.5'));
    expect(() => new Dropout2d(-0.1)).toThrow(new RangeError('Dropout2d: dropout probability has to be between 0 and 1, but got -0.1'));
    expect(() => new AlphaDropout(Number.NaN)).toThrow(new RangeError('AlphaDropout: dropout probability has to be between 0 and 1, but got NaN'));
    expect(() => dropout(ones([2]), { p: 2 })).toThrow(new RangeError('dropout: dropout probability has to be between 0 and 1, but got 2'));
    expect(() => new Dropout(0.5, { inplace: 1 as unknown as boolean })).toThrow(new RangeError('Dropout: inplace must be a boolean, got 1'));
  });

  it('rejects inputs of the wrong rank or dtype, leaving the input unchanged', () => {
    const x = ones([5]);
    expect(() => new Dropout1d(0.5).forward(x)).toThrow(
      new ShapeError('Dropout1d: expected a 2-D or 3-D input ([C, L] or [N, C, L]), got shape [5]'),
    );
    expect(() => featureAlphaDropout(x, { p: 0.5, training: true, inplace: true })).toThrow(
      new ShapeError('featureAlphaDropout: feature dropout requires at least 2 dimensions in the input, got shape [5]'),
    );
    expect(x.toTypedArray().every((value) => value === 1)).toBe(true);
    expect(() => new Dropout().forward(zeros([3], { dtype: 'int32' }))).toThrow(
      new DTypeError('Dropout: expected a floating point input, got int32'),
    );
  });

  it('prints p and inplace as PyTorch does', () => {
    expect(new Dropout().toString()).toBe('Dropout(p=0.5, inplace=False)');
    expect(new Dropout2d(0.1, { inplace: true }).toString()).toBe('Dropout2d(p=0.1, inplace=True)');
    expect(new AlphaDropout(1).toString()).toBe('AlphaDropout(p=1.0, inplace=False)');
  });
});

describe('dropout refuses what is not a tensor, in both modes', () => {
  const notTensors: [unknown, string][] = [
    [undefined, 'undefined'],
    [[1, 2], 'an array'],
    [3, 'number'],
    [null, 'null'],
  ];
  const layers = [new Dropout(0.5), new Dropout1d(), new Dropout2d(), new Dropout3d(), new AlphaDropout(0.2), new FeatureAlphaDropout(0.2)];
  for (const layer of layers) {
    for (const [value, kind] of notTensors) {
      it(`${layer.constructor.name} (training and eval) on ${kind}`, () => {
        const message = `${layer.constructor.name}: expected input to be a Tensor, got ${kind}`;
        expect(() => layer.train().forward(value as Tensor)).toThrow(new TypeError(message));
        expect(() => layer.eval().forward(value as Tensor)).toThrow(new TypeError(message));
      });
    }
  }
  it('the functional forms name themselves', () => {
    expect(() => dropout(undefined as unknown as Tensor)).toThrow(new TypeError('dropout: expected input to be a Tensor, got undefined'));
    expect(() => dropout2d([1] as unknown as Tensor)).toThrow(new TypeError('dropout2d: expected input to be a Tensor, got an array'));
    expect(() => alphaDropout(2 as unknown as Tensor, { training: false })).toThrow(
      new TypeError('alphaDropout: expected input to be a Tensor, got number'),
    );
  });
});
