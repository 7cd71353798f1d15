/**
 * Every layer of the seed packages against careless and hostile input: a
 * `forward` that gets no tensor names the layer and what it got, and random
 * options objects either build a working layer or throw one of the
 * documented error classes with a message that starts with the layer's name —
 * never an engine error from inside the library.
 */
import '@strata/autograd';
import * as attention from '@strata/layers-attention';
import * as conv from '@strata/layers-conv';
import * as misc from '@strata/layers-misc';
import * as norm from '@strata/layers-norm';
import * as recurrent from '@strata/layers-recurrent';
import * as losses from '@strata/losses';
import { Module } from '@strata/module';
import { DTypeError, ShapeError, Tensor, randint, randn } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** fast-check runs per layer: 62 layers with options × 200 = 12,400 option objects. */
const RUNS_PER_LAYER = 200;

type Constructor = new (...args: never[]) => Module;

/** How to build a layer with valid positional arguments, and an input it takes. */
interface LayerCase {
  readonly name: string;
  readonly positional: readonly unknown[];
  /** Forward's arguments, valid ones. */
  readonly input: () => readonly unknown[];
  /** The constructor takes no options object (PyTorch's has no keyword-only arguments either). */
  readonly noOptions?: boolean;
}

const image = (): Tensor[] => [randn([2, 4, 6, 6])];
const sequence = (): Tensor[] => [randn([2, 4, 8])];
const volume = (): Tensor[] => [randn([1, 4, 4, 4, 4])];
const features = (): Tensor[] => [randn([3, 4])];

const CASES: readonly LayerCase[] = [
  { name: 'Conv1d', positional: [4, 4, 3], input: sequence },
  { name: 'Conv2d', positional: [4, 4, 3], input: image },
  { name: 'Conv3d', positional: [4, 4, 2], input: volume },
  { name: 'ConvTranspose1d', positional: [4, 4, 3], input: sequence },
  { name: 'ConvTranspose2d', positional: [4, 4, 3], input: image },
  { name: 'ConvTranspose3d', positional: [4, 4, 2], input: volume },
  { name: 'MaxPool1d', positional: [2], input: sequence },
  { name: 'MaxPool2d', positional: [2], input: image },
  { name: 'MaxPool3d', positional: [2], input: volume },
  { name: 'MinPool1d', positional: [2], input: sequence },
  { name: 'MinPool2d', positional: [2], input: image },
  { name: 'MinPool3d', positional: [2], input: volume },
  { name: 'AvgPool1d', positional: [2], input: sequence },
  { name: 'AvgPool2d', positional: [2], input: image },
  { name: 'AvgPool3d', positional: [2], input: volume },
  { name: 'AdaptiveAvgPool2d', positional: [3], input: image, noOptions: true },
  { name: 'AdaptiveMaxPool2d', positional: [3], input: image },
  { name: 'LPPool2d', positional: [2, 2], input: image },
  { name: 'BatchNorm1d', positional: [4], input: sequence },
  { name: 'BatchNorm2d', positional: [4], input: image },
  { name: 'BatchNorm3d', positional: [4], input: volume },
  { name: 'InstanceNorm2d', positional: [4], input: image },
  { name: 'LayerNorm', positional: [4], input: features },
  { name: 'GroupNorm', positional: [2, 4], input: image },
  { name: 'RMSNorm', positional: [4], input: features },
  { name: 'LocalResponseNorm', positional: [2], input: image },
  { name: 'Linear', positional: [4, 3], input: features },
  { name: 'Bilinear', positional: [4, 4, 2], input: () => [randn([3, 4]), randn([3, 4])] },
  { name: 'Flatten', positional: [], input: image, noOptions: true },
  { name: 'Dropout', positional: [0.5], input: features },
  { name: 'Dropout1d', positional: [0.5], input: sequence },
  { name: 'Dropout2d', positional: [0.5], input: image },
  { name: 'Dropout3d', positional: [0.5], input: volume },
  { name: 'AlphaDropout', positional: [0.5], input: features },
  { name: 'Embedding', positional: [10, 3], input: () => [randint(0, 10, [2, 5])] },
  { name: 'EmbeddingBag', positional: [10, 3], input: () => [randint(0, 10, [2, 5])] },
  { name: 'ReLU', positional: [], input: features },
  { name: 'ReLU6', positional: [], input: features },
  { name: 'LeakyReLU', positional: [0.01], input: features },
  { name: 'ELU', positional: [1], input: features },
  { name: 'CELU', positional: [1], input: features },
  { name: 'SELU', positional: [], input: features },
  { name: 'Hardtanh', positional: [-1, 1], input: features },
  { name: 'Threshold', positional: [0.1, 0], input: features },
  { name: 'GELU', positional: [], input: features },
  { name: 'SiLU', positional: [], input: features },
  { name: 'Sigmoid', positional: [], input: features, noOptions: true },
  { name: 'Tanh', positional: [], input: features, noOptions: true },
  { name: 'Softplus', positional: [], input: features },
  { name: 'Mish', positional: [], input: features },
  { name: 'Hardswish', positional: [], input: features },
  { name: 'Softmax', positional: [1], input: features, noOptions: true },
  { name: 'LogSoftmax', positional: [1], input: features, noOptions: true },
  { name: 'PReLU', positional: [], input: features, noOptions: true },
  { name: 'Identity', positional: [], input: features, noOptions: true },
  { name: 'RNN', positional: [8, 5], input: sequence },
  { name: 'LSTM', positional: [8, 5], input: sequence },
  { name: 'GRU', positional: [8, 5], input: sequence },
  { name: 'RNNCell', positional: [4, 5], input: features },
  { name: 'LSTMCell', positional: [4, 5], input: features },
  { name: 'GRUCell', positional: [4, 5], input: features },
  { name: 'MultiheadAttention', positional: [8, 2], input: () => [randn([3, 2, 8]), randn([3, 2, 8]), randn([3, 2, 8])] },
  { name: 'TransformerEncoderLayer', positional: [8, 2], input: () => [randn([3, 2, 8])] },
  { name: 'TransformerDecoderLayer', positional: [8, 2], input: () => [randn([3, 2, 8]), randn([4, 2, 8])] },
  { name: 'MSELoss', positional: [], input: () => [randn([3, 4]), randn([3, 4])] },
  { name: 'CrossEntropyLoss', positional: [], input: () => [randn([3, 4]), randint(0, 4, [3])] },
  { name: 'NLLLoss', positional: [], input: () => [randn([3, 4]), randint(0, 4, [3])] },
  { name: 'BCEWithLogitsLoss', positional: [], input: () => [randn([3, 4]), randn([3, 4]).sigmoid()] },
  { name: 'HuberLoss', positional: [], input: () => [randn([3, 4]), randn([3, 4])] },
  { name: 'KLDivLoss', positional: [], input: () => [randn([3, 4]), randn([3, 4]).softmax(1)] },
];

const LIBRARY = { ...conv, ...misc, ...norm, ...recurrent, ...attention, ...losses } as unknown as Record<string, Constructor | undefined>;

function construct(layerCase: LayerCase, options?: unknown): Module {
  const Layer = LIBRARY[layerCase.name];
  if (Layer === undefined) throw new Error(`no export named ${layerCase.name}`);
  const args = options === undefined ? layerCase.positional : [...layerCase.positional, options];
  return new Layer(...(args as never[]));
}

const callForward = (layer: Module, args: readonly unknown[]): unknown =>
  (layer as unknown as { forward(...inputs: unknown[]): unknown }).forward(...args);

/** The error classes the API contract documents, each with a message naming its owner. */
function expectDocumentedError(error: unknown, owner: string): void {
  const documented = error instanceof ShapeError || error instanceof DTypeError || error instanceof RangeError || error instanceof TypeError;
  expect(documented || (error instanceof Error && error.constructor === Error), `${String(error)}`).toBe(true);
  expect((error as Error).message.startsWith(`${owner}:`), `${owner}: ${(error as Error).message}`).toBe(true);
}

describe('every layer refuses what is not a tensor, naming itself and what came', () => {
  const notTensors: [unknown, string][] = [
    [undefined, 'undefined'],
    [[1, 2, 3], 'an array'],
    [7, 'number'],
  ];
  for (const layerCase of CASES) {
    it(layerCase.name, () => {
      const layer = construct(layerCase);
      const valid = layerCase.input();
      expect(() => callForward(layer, valid)).not.toThrow();
      for (const [value, kind] of notTensors) {
        let error: unknown;
        try {
          callForward(layer, [value, ...valid.slice(1)]);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(new RegExp(`^${layerCase.name}: expected \\w+ to be a Tensor.*, got ${kind}$`));
      }
    });
  }
});

/**
 * The option names a layer knows, read from its own unknown-option error
 * (`Conv2d: unknown option '__probe__' (expected stride, padding, ...)`), so
 * the random objects below mostly hold real options with hostile values.
 */
function knownOptions(layerCase: LayerCase): string[] {
  try {
    construct(layerCase, { __probe__: 1 });
  } catch (error) {
    const listed = /\(expected ([^)]*)\)$/.exec((error as Error).message)?.[1];
    if (listed !== undefined) return listed.split(', ');
  }
  throw new Error(`${layerCase.name} accepted an unknown option`);
}

const optionValue = fc.oneof(
  fc.constantFrom(0, 1, 2, -1, 3, 0.5, 1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, 1e-5),
  fc.constantFrom('zeros', 'reflect', 'circular', 'same', 'valid', 'mean', 'sum', 'none', 'max', 'tanh', '', 'x'.repeat(200)),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 4 }),
  fc.constantFrom({}, [[1]], Symbol('option')),
);

describe('random options at every layer constructor', () => {
  for (const layerCase of CASES.filter((entry) => entry.noOptions !== true)) {
    it(`${layerCase.name}: builds and runs, or throws a documented error naming it`, () => {
      fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...knownOptions(layerCase), 'padding_mode', '__proto__'), optionValue, { maxKeys: 4 }), (options) => {
          let layer: Module;
          const started = performance.now();
          try {
            layer = construct(layerCase, options);
          } catch (error) {
            expectDocumentedError(error, layerCase.name);
            return;
          }
          try {
            callForward(layer, layerCase.input());
          } catch (error) {
            expectDocumentedError(error, layerCase.name);
          }
          // A bound against hangs and runaway allocations, far above the few milliseconds a case takes.
          expect(performance.now() - started).toBeLessThan(2_000);
        }),
        { numRuns: RUNS_PER_LAYER, seed: 11 },
      );
    });
  }
});
