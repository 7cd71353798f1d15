import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DTypeError, ShapeError, type Tensor, ones, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import {
  ModuleDict,
  ModuleList,
  Parameter,
  Sequential,
  kaimingNormal_,
  kaimingUniform_,
  ones_,
  readSafetensorsMetadata,
  xavierNormal_,
  zeros_,
} from './index.js';
import { Linear } from './module-test-support.js';
import { loadSafetensorsFile, saveSafetensorsFile } from './node.js';

// Bad input for every public function and method of @strata/module that other
// test files do not already pin: each case names the error class and the exact
// message, and checks that nothing was changed.

const notATensor = 3 as unknown as Tensor;

describe('Module', () => {
  it('names the missing part of a path', () => {
    const net = new Sequential(new Linear(2, 1));
    expect(() => net.getSubmodule('1')).toThrow(new Error("getSubmodule: Sequential has no submodule '1' (looking up '1')"));
    expect(() => net.getSubmodule('0.weight')).toThrow(new Error("getSubmodule: 'weight' is not a Module (looking up '0.weight')"));
    expect(() => net.getParameter('0.scale')).toThrow(new Error("getParameter: Linear has no parameter 'scale' (looking up '0.scale')"));
    expect(() => net.getBuffer('0.weight')).toThrow(new Error("getBuffer: Linear has no buffer 'weight' (looking up '0.weight')"));
  });

  it('checks modes, functions and registrations', () => {
    const layer = new Linear(2, 1);
    expect(() => layer.train(1 as never)).toThrow(new TypeError('train: training mode is expected to be boolean, got number'));
    expect(layer.training).toBe(true);
    expect(() => layer.apply(3 as never)).toThrow(new TypeError('apply: expected a function, got number'));
    expect(() => layer.registerParameter('scale', zeros([1]) as Parameter)).toThrow(
      new TypeError("registerParameter: cannot assign Tensor to parameter 'scale' (Parameter or null required)"),
    );
    expect(() => layer.registerBuffer('running', new Parameter(zeros([1])))).toThrow(
      new TypeError("registerBuffer: cannot assign a Parameter to buffer 'running' (use registerParameter)"),
    );
    expect(() => layer.registerBuffer('weight', zeros([1]))).toThrow(new Error("registerBuffer: attribute 'weight' already exists"));
    expect(() => layer.registerModule('child', 3 as never)).toThrow(
      new TypeError("registerModule: number is not a Module subclass (registering 'child')"),
    );
    expect(() => layer.registerModule('a.b', null)).toThrow(new Error('registerModule: module name can\'t contain ".", got "a.b"'));
    expect(layer.namedParameters().map(([name]) => name)).toEqual(['weight', 'bias']);
    expect(layer.namedBuffers()).toEqual([]);
  });

  it('loadStateDict lists every problem in PyTorch words and copies nothing', () => {
    const layer = new Linear(2, 1);
    const prefix = 'loadStateDict: Error(s) in loading state_dict for Linear:\n\t';
    expect(() => layer.loadStateDict({ weight: ones([2, 2]), bias: ones([1]) })).toThrow(
      new ShapeError(
        `${prefix}size mismatch for weight: copying a param with shape [2, 2] from checkpoint, the shape in current model is [1, 2].`,
      ),
    );
    expect(() => layer.loadStateDict({ weight: ones([1, 2]), extra: ones([1]) })).toThrow(
      new Error(`${prefix}Missing key(s) in state_dict: "bias".\n\tUnexpected key(s) in state_dict: "extra".`),
    );
    expect(() => layer.loadStateDict({ weight: notATensor, bias: ones([1]) })).toThrow(
      new TypeError(`${prefix}While copying the parameter named "weight", expected a Tensor from checkpoint but received number`),
    );
    expect(() => layer.loadStateDict(notATensor as never)).toThrow(
      new TypeError('loadStateDict: expected a state dict (a record or Map of tensors), got number'),
    );
    expect(layer.weight.tolist()).toEqual([[0, 0]]);
    expect(layer.bias!.tolist()).toEqual([0]);
    expect(layer.weight.version).toBe(0);
  });
});

describe('containers', () => {
  it('name the container and the bad module, key or index', () => {
    expect(() => new Sequential(notATensor as never)).toThrow(new TypeError('Sequential: expected a Module, got number'));
    expect(() => new Sequential().at(0)).toThrow(new RangeError('Sequential.at: index 0 is out of range for 0 modules'));
    expect(() => new ModuleList([notATensor as never])).toThrow(new TypeError('ModuleList.append: expected a Module, got number'));
    expect(() => new ModuleList(notATensor as never)).toThrow(new TypeError('ModuleList.extend: expected an iterable of modules, got number'));
    expect(() => new ModuleList().forward()).toThrow(
      new Error('ModuleList: a ModuleList has no forward(); iterate over its modules and call them'),
    );
    expect(() => new ModuleDict({ a: notATensor as never })).toThrow(new TypeError('ModuleDict.set: expected a Module, got number'));
    expect(() => new ModuleDict({ a: new Linear(1, 1) }).get('b')).toThrow(new RangeError("ModuleDict.get: no module under key 'b' (keys: 'a')"));
    expect(() => new ModuleDict().forward()).toThrow(new Error('ModuleDict: a ModuleDict has no forward(); get a module by key and call it'));
  });
});

describe('init', () => {
  it('each initializer names itself, and leaves the tensor unchanged when it throws', () => {
    expect(() => ones_(notATensor)).toThrow(new TypeError('ones_: expected tensor to be a Tensor, got number'));
    expect(() => zeros_(null as unknown as Tensor)).toThrow(new TypeError('zeros_: expected tensor to be a Tensor, got null'));
    const vector = ones([3]);
    expect(() => xavierNormal_(vector)).toThrow(
      new ShapeError('xavierNormal_: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (got shape [3])'),
    );
    const counts = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    expect(() => xavierNormal_(counts)).toThrow(new DTypeError('xavierNormal_: expected a floating point tensor, got int32'));
    const weight = ones([2, 2]);
    expect(() => kaimingUniform_(weight, { nonlinearity: 'gelu' as never })).toThrow(
      new RangeError(
        "kaimingUniform_: unsupported nonlinearity 'gelu' (expected one of 'linear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'selu')",
      ),
    );
    expect(() => kaimingNormal_(weight, { a: Number.NaN })).toThrow(new RangeError('kaimingNormal_: negative slope NaN is not a valid number'));
    expect(vector.tolist()).toEqual([1, 1, 1]);
    expect(counts.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(weight.tolist()).toEqual([[1, 1], [1, 1]]);
    expect(weight.version).toBe(0);
  });
});

describe('safetensors', () => {
  it('readSafetensorsMetadata names what is wrong with the header', () => {
    expect(() => readSafetensorsMetadata(new Uint8Array([100, 0, 0, 0, 0, 0, 0, 0, 123]))).toThrow(
      new Error('readSafetensorsMetadata: header length 100 runs past the end of the buffer (1 bytes follow the length)'),
    );
    expect(() => readSafetensorsMetadata('bytes' as never)).toThrow(
      new TypeError("readSafetensorsMetadata: expected the file's bytes as a Uint8Array or ArrayBuffer, got string"),
    );
  });

  it('the file helpers validate before reading or writing anything', () => {
    const directory = mkdtempSync(join(tmpdir(), 'strata-bad-input-'));
    try {
      const truncated = join(directory, 'truncated.safetensors');
      writeFileSync(truncated, new Uint8Array([1, 2, 3, 4]));
      expect(() => loadSafetensorsFile(truncated)).toThrow(
        new Error('loadSafetensors: the buffer holds 4 bytes, fewer than the 8-byte header length'),
      );
      const target = join(directory, 'never-written.safetensors');
      expect(() => saveSafetensorsFile(target, { weight: notATensor })).toThrow(
        new TypeError("saveSafetensors: the value under 'weight' is not a Tensor (got number)"),
      );
      expect(existsSync(target)).toBe(false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
