import { type Tensor, ones, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { ModuleDict, Sequential } from './containers.js';
import { Module } from './module.js';
import { Block, Linear, Net, ReLU, Tanh } from './module-test-support.js';
import { Parameter } from './parameter.js';


// Printed by PyTorch 1.13 for the tree of `Net`'s comment (repr(net)).
const PYTORCH_REPR = `Net(
  (features): Sequential(
    (0): Block(
      gated=True
      scale=1.0
      (conv): Conv1d(2, 3, kernel_size=(1,), stride=(1,))
      (norm): LayerNorm((3,), eps=1e-05, elementwise_affine=True)
    )
    (1): ReLU()
  )
  (heads): ModuleDict(
    (classify): Linear(in_features=3, out_features=2, bias=True)
    (regress): Linear(in_features=3, out_features=1, bias=False)
  )
  (blocks): ModuleList(
    (0): Identity()
    (1): Tanh()
  )
)`;

describe('Module discovery', () => {
  it('names parameters, buffers and modules in PyTorch order (PyTorch 1.13 reference)', () => {
    const net = new Net();
    expect(net.namedParameters().map(([name]) => name)).toEqual([
      'temperature', 'features.0.gate', 'features.0.conv.weight', 'features.0.conv.bias', 'features.0.norm.weight',
      'features.0.norm.bias', 'heads.classify.weight', 'heads.classify.bias', 'heads.regress.weight',
    ]);
    expect(net.namedBuffers().map(([name]) => name)).toEqual(['features.0.scale', 'features.0.cache']);
    expect(net.namedModules().map(([name]) => name)).toEqual([
      '', 'features', 'features.0', 'features.0.conv', 'features.0.norm', 'features.1', 'heads', 'heads.classify',
      'heads.regress', 'blocks', 'blocks.0', 'blocks.1',
    ]);
    expect(Object.keys(net.stateDict())).toEqual([
      'temperature', 'features.0.gate', 'features.0.scale', 'features.0.conv.weight', 'features.0.conv.bias',
      'features.0.norm.weight', 'features.0.norm.bias', 'heads.classify.weight', 'heads.classify.bias', 'heads.regress.weight',
    ]);
    expect(net.numParameters()).toBe(30);
  });

  it('prints the tree exactly as PyTorch does', () => {
    expect(new Net().toString()).toBe(PYTORCH_REPR);
    expect(new Linear(3, 2).toString()).toBe('Linear(in_features=3, out_features=2, bias=True)');
    expect(new Sequential().toString()).toBe('Sequential()');
  });

  it('returns the registered objects themselves, reachable as fields', () => {
    const net = new Net();
    const block = net.features.at(0) as Block;
    expect(net.getSubmodule('features.0')).toBe(block);
    expect(net.getSubmodule('features.0.conv')).toBe(block.conv);
    expect(net.getSubmodule('')).toBe(net);
    expect(net.getParameter('features.0.conv.weight')).toBe(block.conv.weight);
    expect(net.getParameter('temperature')).toBe(net.temperature);
    expect(net.getBuffer('features.0.cache')).toBe(block.cache);
    expect(net.children()).toEqual([net.features, net.heads, net.blocks]);
    expect(net.namedChildren().map(([name]) => name)).toEqual(['features', 'heads', 'blocks']);
    expect(net.modules()).toHaveLength(12);
    expect(net.parameters()).toContain(block.gate);
    expect(net.buffers()).toEqual([block.scale, block.cache]);
  });

  it('lists only its own members without recursion, and prefixes names on request', () => {
    const block = new Block();
    expect(block.namedParameters('', false).map(([name]) => name)).toEqual(['gate']);
    expect(block.parameters(false)).toEqual([block.gate]);
    expect(block.namedBuffers('block', false).map(([name]) => name)).toEqual(['block.scale', 'block.cache']);
    expect(block.namedModules('root').map(([name]) => name)).toEqual(['root', 'root.conv', 'root.norm']);
    expect(block.namedParameters('p').map(([name]) => name)).toEqual(['p.gate', 'p.conv.weight', 'p.conv.bias', 'p.norm.weight', 'p.norm.bias']);
    expect(Object.keys(block.stateDict({ prefix: 'x.' }))).toEqual(['x.gate', 'x.scale', 'x.conv.weight', 'x.conv.bias', 'x.norm.weight', 'x.norm.bias']);
  });

  it('orders fields assigned between registrations by assignment, as PyTorch does', () => {
    class Mixed extends Module {
      declare first: Parameter;
      second = new Parameter(zeros([1]));
      third?: Parameter;
      constructor() {
        super();
        this.registerParameter('first', new Parameter(zeros([2])));
        this.third = new Parameter(zeros([3]));
        this.registerBuffer('buffer', zeros([4]));
        this.registerParameter('fourth', new Parameter(zeros([5])));
      }
      forward(): void {}
    }
    // PyTorch: second (assigned first), first, third, fourth; the buffer after the parameters.
    const mixed = new Mixed();
    expect(Object.keys(mixed.stateDict())).toEqual(['second', 'first', 'third', 'fourth', 'buffer']);
  });

  it('follows reassignment and deletion of fields after construction', () => {
    const linear = new Linear(3, 2);
    const replacement = new Parameter(ones([2, 3]));
    linear.weight = replacement;
    expect(linear.parameters()[0]).toBe(replacement);
    linear.bias = null;
    expect(linear.namedParameters().map(([name]) => name)).toEqual(['weight']);
    expect(linear.toString()).toBe('Linear(in_features=3, out_features=2, bias=False)');
    const net = new Net();
    Reflect.deleteProperty(net, 'heads');
    expect(net.namedChildren().map(([name]) => name)).toEqual(['features', 'blocks']);
    (net as unknown as Record<string, unknown>).extra = new Linear(1, 1);
    expect(net.namedChildren().map(([name]) => name)).toEqual(['features', 'blocks', 'extra']);
  });

  it('finds each shared parameter and module once, but keeps every state-dict key', () => {
    const shared = new Linear(2, 2);
    const net = new Sequential(shared, new ReLU(), shared);
    expect(net.namedParameters().map(([name]) => name)).toEqual(['0.weight', '0.bias']);
    expect(net.namedModules().map(([name]) => name)).toEqual(['', '0', '1']);
    expect(Object.keys(net.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(net.numParameters()).toBe(6);
  });

  it('ignores plain tensors and other values in fields (PyTorch only registers Parameters and Modules)', () => {
    class Plain extends Module {
      tensorField = zeros([2]);
      count = 3;
      forward(): void {}
    }
    const plain = new Plain();
    expect(plain.parameters()).toEqual([]);
    expect(plain.buffers()).toEqual([]);
    expect(plain.stateDict()).toEqual({});
  });
});

describe('Module registration errors', () => {
  class Empty extends Module {
    forward(): void {}
  }

  it('rejects bad names and values with PyTorch-like messages', () => {
    const module = new Empty();
    expect(() => module.registerParameter('a.b', null)).toThrow('registerParameter: parameter name can\'t contain ".", got "a.b"');
    expect(() => module.registerBuffer('', null)).toThrow('registerBuffer: buffer name can\'t be empty string ""');
    expect(() => module.registerModule('x.y', null)).toThrow('registerModule: module name can\'t contain ".", got "x.y"');
    expect(() => module.registerParameter('w', zeros([2]) as Parameter)).toThrow(
      new TypeError("registerParameter: cannot assign Tensor to parameter 'w' (Parameter or null required)"),
    );
    expect(() => module.registerBuffer('b', 3 as unknown as Tensor)).toThrow(
      new TypeError("registerBuffer: cannot assign number to buffer 'b' (Tensor or null required)"),
    );
    expect(() => module.registerBuffer('b', new Parameter(zeros([1])))).toThrow(
      new TypeError("registerBuffer: cannot assign a Parameter to buffer 'b' (use registerParameter)"),
    );
    expect(() => module.registerModule('m', zeros([1]) as unknown as Module)).toThrow(
      new TypeError("registerModule: Tensor is not a Module subclass (registering 'm')"),
    );
  });

  it('refuses names taken by methods or by members of another kind', () => {
    const module = new Empty();
    expect(() => module.registerModule('forward', new Empty())).toThrow("registerModule: attribute 'forward' already exists");
    expect(() => module.registerBuffer('training', zeros([1]))).toThrow("registerBuffer: attribute 'training' already exists");
    module.registerParameter('weight', new Parameter(zeros([1])));
    expect(() => module.registerBuffer('weight', zeros([1]))).toThrow("registerBuffer: attribute 'weight' already exists");
    const replacement = new Parameter(ones([1]));
    module.registerParameter('weight', replacement);
    expect(module.parameters()).toEqual([replacement]);
    expect(() => new ModuleDict({ keys: new Empty() })).toThrow("registerModule: attribute 'keys' already exists");
  });

  it('rejects assigning a plain tensor to a registered parameter when the module is next read', () => {
    const linear = new Linear(2, 2);
    (linear as unknown as Record<string, unknown>).weight = zeros([2, 2]);
    expect(() => linear.parameters()).toThrow(new TypeError("Linear: cannot assign Tensor as parameter 'weight' (Parameter or null expected)"));
  });

  it('reports missing paths in getSubmodule, getParameter and getBuffer', () => {
    const net = new Net();
    expect(() => net.getSubmodule('features.7')).toThrow("getSubmodule: Sequential has no submodule '7' (looking up 'features.7')");
    expect(() => net.getSubmodule('features.forward')).toThrow("getSubmodule: 'forward' is not a Module (looking up 'features.forward')");
    expect(() => net.getParameter('features.0.scale')).toThrow("getParameter: Block has no parameter 'scale' (looking up 'features.0.scale')");
    expect(() => net.getParameter('nothing.weight')).toThrow("getParameter: Net has no submodule 'nothing' (looking up 'nothing.weight')");
    expect(() => net.getBuffer('features.0.gate')).toThrow("getBuffer: Block has no buffer 'gate' (looking up 'features.0.gate')");
  });
});

describe('Module modes and gradients', () => {
  it('propagates train and eval to every descendant and returns the module', () => {
    const net = new Net();
    expect(net.modules().every((module) => module.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().map((module) => module.training)).toEqual(new Array(12).fill(false));
    net.blocks.train();
    expect(net.training).toBe(false);
    expect(net.blocks.at(1).training).toBe(true);
    net.train();
    expect(net.modules().every((module) => module.training)).toBe(true);
    expect(() => net.train(1 as unknown as boolean)).toThrow(new TypeError('train: training mode is expected to be boolean, got number'));
  });

  it('applies a function to every module, children before parents', () => {
    const net = new Sequential(new Sequential(new ReLU()), new Tanh());
    const visited: string[] = [];
    expect(net.apply((module) => visited.push(module.getName()))).toBe(net);
    expect(visited).toEqual(['ReLU', 'Sequential', 'Tanh', 'Sequential']);
  });

  it('freezes parameters with requiresGrad_ and counts trainable ones', () => {
    const net = new Net();
    net.features.requiresGrad_(false);
    expect(net.parameters().filter((parameter) => parameter.requiresGrad)).toHaveLength(4);
    // temperature 1 + classify 3·2 + 2 + regress 3
    expect(net.numParameters({ trainableOnly: true })).toBe(12);
    net.requiresGrad_();
    expect(net.numParameters({ trainableOnly: true })).toBe(30);
  });

  it('zeroGrad sets gradients to null, or fills them with zeros in place', () => {
    const linear = new Linear(2, 1);
    const gradient = tensor([[1, 2]]);
    linear.weight.grad = gradient;
    linear.zeroGrad();
    expect(linear.weight.grad).toBeNull();
    expect(linear.bias!.grad).toBeNull();
    linear.weight.grad = gradient;
    const version = gradient.version;
    linear.zeroGrad({ setToNone: false });
    expect(linear.weight.grad).toBe(gradient);
    expect(gradient.tolist()).toEqual([[0, 0]]);
    expect(gradient.version).toBe(version + 1);
  });
});
