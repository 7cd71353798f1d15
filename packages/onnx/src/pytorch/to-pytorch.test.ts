/** toPyTorch without PyTorch: what it refuses, the weights it writes, and writers of your own (the outputs are checked in PyTorch by pytorch-roundtrip.test.ts). */
import '@strata/autograd';
import { MaxPool2d, MinPool2d } from '@strata/layers-conv';
import { Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm1d } from '@strata/layers-norm';
import { Module, Sequential, loadSafetensors } from '@strata/module';
import type { Tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { PyTorchExportError, registerPyTorchModule, toPyTorch } from '../index.js';

class Residual extends Module {
  fc = new Linear(4, 4);
  forward(x: Tensor): Tensor {
    return this.fc.forward(x).add(x);
  }
}

class Swish extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(x.sigmoid());
  }
}

describe('toPyTorch', () => {
  it('writes the state dict with its keys, num_batches_tracked as PyTorch’s int64', () => {
    const model = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU());
    const { safetensors } = toPyTorch(model);
    const loaded = loadSafetensors(safetensors);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(model.stateDict()).sort());
    const header = JSON.parse(new TextDecoder().decode(safetensors.subarray(8, 8 + Number(new DataView(safetensors.buffer, safetensors.byteOffset).getBigUint64(0, true)))));
    expect(header['1.num_batches_tracked'].dtype).toBe('I64');
  });

  it('names the class, and defines the min pooling helper only when the model uses it', () => {
    expect(toPyTorch(new Sequential(new MaxPool2d(2)), { className: 'Pool' }).source).toContain('class Pool(nn.Sequential):');
    expect(toPyTorch(new Sequential(new MaxPool2d(2))).source).not.toContain('class StrataMinPool2d');
    expect(toPyTorch(new Sequential(new MinPool2d(2))).source).toContain('class StrataMinPool2d(nn.MaxPool2d):');
    expect(() => toPyTorch(new Linear(2, 2), { className: 'my net' })).toThrow("toPyTorch: className must be a Python identifier, got 'my net'");
  });

  it('refuses a module with a forward of its own, naming it', () => {
    const message =
      'has no torch.nn equivalent: toPyTorch writes Sequential, ModuleList, ModuleDict and the layers of @strata/layers-conv, -norm, -misc, -recurrent and -attention ' +
      '(registerPyTorchModule adds a class of your own)';
    expect(() => toPyTorch(new Residual())).toThrow(PyTorchExportError);
    expect(() => toPyTorch(new Residual())).toThrow(`toPyTorch: Residual (the model itself) ${message}`);
    expect(() => toPyTorch(new Sequential(new Linear(4, 4), new Sequential(new Swish())))).toThrow(`toPyTorch: Swish at '1.0' ${message}`);
  });

  it('writes a class of your own through registerPyTorchModule', () => {
    registerPyTorchModule('Swish', () => ({ className: 'nn.SiLU', arguments: '' }));
    expect(toPyTorch(new Sequential(new Swish())).source).toContain("('0', nn.SiLU())");
    expect(() => registerPyTorchModule('Swish', () => ({ className: 'nn.SiLU', arguments: '' }))).toThrow(
      'registerPyTorchModule: Swish already has a PyTorch writer (pass { override: true } to replace it)',
    );
  });
});
