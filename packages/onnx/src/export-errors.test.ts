/** What the exporter refuses, and how it says so; and what it leaves behind. */
import '@strata/autograd';
import { Conv2d, LPPool2d, MaxPool2d } from '@strata/layers-conv';
import { Linear, ReLU } from '@strata/layers-misc';
import { LocalResponseNorm } from '@strata/layers-norm';

import { Module, Sequential } from '@strata/module';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { OnnxExportError, exportOnnx, onnxMappedTypes, registerOnnxMapping } from './index.js';
import { expectRuntimeMatch } from './runtime-test-support.js';

class Residual extends Module {
  fc = new Linear(4, 4);
  forward(x: Tensor): Tensor {
    return this.fc.forward(x).add(x);
  }
}

class Doubled extends Module {
  fc = new Linear(4, 4);
  forward(x: Tensor): Tensor {
    return this.fc.forward(x.mul(2));
  }
}

/** x · sigmoid(x), a layer the exporter does not know until it is registered. */
class Swish extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(x.sigmoid());
  }
}

class NamedConv extends Conv2d {}

class ShiftedConv extends Conv2d {
  override forward(x: Tensor): Tensor {
    return super.forward(x).add(1);
  }
}

beforeEach(() => manualSeed(1));

describe('exportOnnx refuses what it cannot write, naming the layer', () => {
  it('a layer without a mapping', () => {
    const model = new Sequential(new Conv2d(4, 4, 3), new LPPool2d(2, 2));
    expect(() => exportOnnx(model, randn([1, 4, 6, 6]))).toThrow(OnnxExportError);
    expect(() => exportOnnx(model, randn([1, 4, 6, 6]))).toThrow(
      `exportOnnx: no ONNX mapping for LPPool2d at '1'; layers with a mapping: ${onnxMappedTypes().join(', ')} (registerOnnxMapping adds one)`,
    );
  });

  it('a module whose forward computes with tensor operations', () => {
    expect(() => exportOnnx(new Residual(), randn([2, 4]))).toThrow(
      'exportOnnx: Residual (the model itself) computes its output with tensor operations outside its submodules, which the exporter ' +
        'cannot trace; wrap them in a module with an ONNX mapping (registerOnnxMapping)',
    );
    expect(() => exportOnnx(new Doubled(), randn([2, 4]))).toThrow(
      "exportOnnx: Linear at 'fc' gets an input computed outside any module (by a tensor operation in the forward of Doubled (the model itself)); " +
        'the exporter traces modules, so wrap that computation in a module (and register its ONNX mapping with registerOnnxMapping)',
    );
  });

  it('a subclass that overrides forward is not taken for its base', () => {
    expect(() => exportOnnx(new Sequential(new ShiftedConv(2, 2, 1)), randn([1, 2, 3, 3]))).toThrow(
      /^exportOnnx: no ONNX mapping for ShiftedConv at '0'/,
    );
  });

  it('options ONNX cannot express', () => {
    expect(() => exportOnnx(new Sequential(new MaxPool2d(2, { returnIndices: true })), randn([1, 2, 4, 4]))).toThrow(
      "exportOnnx: MaxPool2d at '0': returnIndices has no ONNX mapping (ONNX MaxPool indices are flat over the whole tensor, not per plane)",
    );
    expect(() => exportOnnx(new Sequential(new LocalResponseNorm(2)), randn([1, 4, 3, 3]))).toThrow(
      "exportOnnx: LocalResponseNorm at '0': an even size (2) has no ONNX mapping: ONNX LRN centres an even window one channel earlier than PyTorch",
    );
  });

  it('bad options', () => {
    const model = new Sequential(new Linear(3, 2));
    expect(() => exportOnnx(model, randn([1, 3]), { opset: 18 })).toThrow('exportOnnx: opset 18 is not supported; the exporter writes opset 17');
    expect(() => exportOnnx(model, randn([1, 3]), { inputNames: ['a', 'b'] })).toThrow('exportOnnx: inputNames has 2 names for 1 inputs');
    expect(() => exportOnnx(model, randn([1, 3]), { dynamicAxes: { images: [0] } })).toThrow(
      "exportOnnx: dynamicAxes names 'images', which is neither an input nor an output name",
    );
    expect(() => exportOnnx(model, randn([1, 3]), { dynamicAxes: { input: [2] } })).toThrow(
      "exportOnnx: dynamicAxes['input'] names dimension 2, but 'input' has 2 dimensions",
    );
  });

  it('leaves the model as it was, even when it throws', () => {
    const model = new Sequential(new Conv2d(4, 4, 3), new ReLU(), new LPPool2d(2, 2));
    expect(() => exportOnnx(model, randn([1, 4, 6, 6]))).toThrow(OnnxExportError);
    expect(model.modules().every((module) => module.training && !Object.hasOwn(module, 'forward'))).toBe(true);
  });
});

describe('registerOnnxMapping', () => {
  it('exports a layer of your own, and refuses a second mapping for the same name', async () => {
    registerOnnxMapping('Swish', (context) =>
      context.graph.op('Mul', [context.inputs[0]!, context.graph.op('Sigmoid', [context.inputs[0]!], context.name('gate'))], context.name('output')),
    );
    await expectRuntimeMatch('Swish', new Sequential(new Linear(4, 4), new Swish()), [randn([3, 4])]);
    expect(() => registerOnnxMapping('Swish', (context) => context.inputs[0]!)).toThrow(
      'registerOnnxMapping: Swish already has an ONNX mapping (pass { override: true } to replace it)',
    );
  });

  it('finds a subclass that only adds fields under its base class', async () => {
    await expectRuntimeMatch('NamedConv', new Sequential(new NamedConv(2, 3, 3)), [randn([1, 2, 5, 5])]);
  });
});
