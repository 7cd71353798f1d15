import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as strata from '@strata/nn';

// The packages are found, not listed: every public @strata/* package under packages/.
const umbrellaDirectory = fileURLToPath(new URL('..', import.meta.url));
const umbrellaName = (JSON.parse(readFileSync(join(umbrellaDirectory, 'package.json'), 'utf8')) as { name: string }).name;
const packageNames = readdirSync(join(umbrellaDirectory, '..'))
  .map((folder) => join(umbrellaDirectory, '..', folder, 'package.json'))
  .filter((path) => existsSync(path))
  .map((path) => JSON.parse(readFileSync(path, 'utf8')) as { name: string; private?: boolean; strata?: { umbrella?: boolean } })
  .filter((manifest) => manifest.private !== true && manifest.name.startsWith('@strata/') && manifest.name !== umbrellaName)
  .filter((manifest) => manifest.strata?.umbrella !== false)
  .map((manifest) => manifest.name);
const packages: Record<string, Record<string, unknown>> = Object.fromEntries(
  await Promise.all(packageNames.map(async (name) => [name, (await import(name)) as Record<string, unknown>] as const)),
);
const tensorPackage = packages['@strata/tensor']!;
const module = packages['@strata/module'] as typeof import('@strata/module');

/** The names API.md's package table lists (its `...` left out), per package. */
const mainNames: Record<string, string[]> = {
  '@strata/tensor': [
    'Tensor', 'tensor', 'zeros', 'ones', 'full', 'arange', 'linspace', 'rand', 'randn', 'randint', 'manualSeed',
    'reshape', 'view', 'flatten', 'permute', 'transpose', 'squeeze', 'unsqueeze', 'expand', 'cat', 'stack', 'split', 'chunk', 'narrow', 'index',
    'add', 'sub', 'mul', 'div', 'pow', 'neg', 'exp', 'log', 'sqrt', 'abs', 'clamp', 'maximum', 'minimum', 'where',
    'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'sum', 'mean', 'max', 'min', 'argmax', 'var', 'std', 'matmul',
    'relu', 'sigmoid', 'tanh', 'gelu', 'silu', 'softmax', 'logSoftmax',
    'registerKernel', 'getKernel', 'ShapeError', 'DTypeError',
  ],
  '@strata/autograd': ['noGrad', 'enableGrad', 'gradcheck', 'defineOp'],
  '@strata/module': ['Module', 'Parameter', 'Sequential', 'ModuleList', 'ModuleDict', 'init', 'saveSafetensors', 'loadSafetensors'],
  '@strata/layers-conv': [
    'Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d',
    'MaxPool1d', 'MaxPool2d', 'MaxPool3d', 'AvgPool1d', 'AvgPool2d', 'AvgPool3d', 'MinPool1d', 'MinPool2d', 'MinPool3d',
    'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveAvgPool3d', 'AdaptiveMaxPool1d', 'AdaptiveMaxPool2d', 'AdaptiveMaxPool3d',
    'MaxUnpool1d', 'MaxUnpool2d', 'MaxUnpool3d',
    'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d',
    'maxPool1d', 'maxPool2d', 'maxPool3d', 'avgPool1d', 'avgPool2d', 'avgPool3d', 'minPool1d', 'minPool2d', 'minPool3d',
    'adaptiveAvgPool2d', 'adaptiveMaxPool2d', 'maxUnpool2d',
  ],
  '@strata/layers-norm': [
    'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'LayerNorm', 'GroupNorm', 'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'RMSNorm',
    'batchNorm', 'layerNorm', 'groupNorm', 'instanceNorm', 'rmsNorm',
  ],
  '@strata/layers-misc': [
    'Linear', 'Bilinear', 'Identity', 'Flatten', 'Unflatten', 'Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'Embedding',
    'ReLU', 'Sigmoid', 'Tanh', 'GELU', 'SiLU', 'Softmax', 'LogSoftmax', 'LeakyReLU',
    'linear', 'bilinear', 'dropout', 'embedding',
  ],
  '@strata/losses': [
    'CrossEntropyLoss', 'NLLLoss', 'MSELoss', 'L1Loss', 'SmoothL1Loss', 'HuberLoss', 'BCELoss', 'BCEWithLogitsLoss', 'KLDivLoss',
    'crossEntropy', 'nllLoss', 'mseLoss', 'l1Loss', 'smoothL1Loss', 'huberLoss', 'binaryCrossEntropy', 'binaryCrossEntropyWithLogits', 'klDiv',
  ],
  '@strata/optim': ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'Optimizer', 'LRScheduler', 'StepLR', 'CosineAnnealingLR', 'clipGradNorm'],
  '@strata/train': ['fit', 'evaluate', 'DataLoader', 'TensorDataset', 'readIdx', 'mnistDataset', 'Accuracy', 'EarlyStopping', 'ModelCheckpoint'],
};

/** Names two packages export; the umbrella takes @strata/tensor's (the module initializers stay under `init`). */
const shadowed: Record<string, string> = { uniform_: '@strata/tensor', normal_: '@strata/tensor' };

describe('@strata/nn (the umbrella)', () => {
  it('finds the packages by itself, and the umbrella re-exports and depends on exactly those (sync-packages --check)', () => {
    expect(packageNames).toEqual(expect.arrayContaining(['@strata/tensor', '@strata/autograd', '@strata/module']));
    expect(() => execFileSync('node', [join(umbrellaDirectory, 'scripts', 'sync-packages.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it.each(Object.keys(packages))('exports the main names of %s', (name) => {
    const exports = packages[name]!;
    for (const exported of mainNames[name] ?? []) {
      expect(exports[exported], `${name} exports ${exported}`).toBeDefined();
      expect((strata as Record<string, unknown>)[exported], `strata exports ${exported}`).toBe(exports[exported]);
    }
  });

  it.each(Object.keys(packages))('re-exports every run-time export of %s as the same object', (name) => {
    for (const [exported, value] of Object.entries(packages[name]!)) {
      const owner = shadowed[exported];
      const expected = owner === undefined ? value : packages[owner]![exported];
      expect((strata as Record<string, unknown>)[exported], `strata.${exported}`).toBe(expected);
    }
  });

  it('exports nothing beyond the packages', () => {
    const known = new Set(Object.values(packages).flatMap((exports) => Object.keys(exports)));
    expect(Object.keys(strata).filter((exported) => !known.has(exported))).toEqual([]);
  });

  it('settles uniform_ and normal_ on the in-place fills of @strata/tensor; init keeps the initializers', () => {
    expect(strata.uniform_).toBe(tensorPackage.uniform_);
    expect(strata.normal_).toBe(tensorPackage.normal_);
    expect(strata.uniform_).not.toBe(module.uniform_);
    expect(strata.init).toBe(module.init);
    expect(strata.init.uniform_).toBe(module.uniform_);
    expect(strata.init.normal_).toBe(module.normal_);
    expect(strata.init.kaimingUniform_).toBe(module.kaimingUniform_);

    strata.manualSeed(1);
    const filled = strata.uniform_(strata.zeros([1000]), 2, 3);
    expect(filled.min().item()).toBeGreaterThanOrEqual(2);
    expect(filled.max().item()).toBeLessThan(3);
    const initialized = strata.init.normal_(strata.zeros([1000]), 10, 0.01);
    expect(Math.abs(initialized.mean().item() - 10)).toBeLessThan(0.01);
  });

  it('runs the README example: importing strata alone trains (autograd installed)', () => {
    const { Conv2d, Flatten, Linear, ReLU, Sequential, randn } = strata;
    const net = new Sequential(new Conv2d(1, 8, 3), new ReLU(), new Flatten(), new Linear(8 * 26 * 26, 10));
    const out = net.forward(randn([4, 1, 28, 28]));
    expect(out.shape).toEqual([4, 10]);
    out.sum().backward();
    expect(net.parameters().every((parameter) => parameter.grad instanceof strata.Tensor)).toBe(true);
  });
});
