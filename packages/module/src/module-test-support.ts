/**
 * Small modules for this package's tests, named and printed like their
 * PyTorch counterparts (the layer packages hold the real ones).
 */
import { type Tensor, add, matmul, ones, zeros } from '@strata/tensor';
import { ModuleDict, ModuleList, Sequential } from './containers.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export class Linear extends Module {
  weight: Parameter;
  declare bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    super();
    this.weight = new Parameter(zeros([outFeatures, inFeatures]));
    this.registerParameter('bias', (options.bias ?? true) ? new Parameter(zeros([outFeatures])) : null);
  }

  forward(input: Tensor): Tensor {
    const output = matmul(input, this.weight.t());
    return this.bias === null ? output : add(output, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias === null ? 'False' : 'True'}`;
  }
}

/** Holds a Conv1d's parameters (kernel size 1); forward is not needed by these tests. */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
  ) {
    super();
    this.weight = new Parameter(zeros([outChannels, inChannels, 1]));
    this.bias = new Parameter(zeros([outChannels]));
  }

  forward(input: Tensor): Tensor {
    return input;
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernel_size=(1,), stride=(1,)`;
  }
}

export class LayerNorm extends Module {
  weight: Parameter;
  bias: Parameter;

  constructor(readonly size: number) {
    super();
    this.weight = new Parameter(ones([size]));
    this.bias = new Parameter(zeros([size]));
  }

  forward(input: Tensor): Tensor {
    return input;
  }

  override extraRepr(): string {
    return `(${this.size},), eps=1e-05, elementwise_affine=True`;
  }
}

/** Multiplies by a constant: an observable forward without parameters. */
export class Scale extends Module {
  constructor(readonly factor: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return input.mul(this.factor);
  }

  override extraRepr(): string {
    return `factor=${this.factor}`;
  }
}

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return input.relu();
  }
}

export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

/**
 * The TypeScript twin of this PyTorch 1.13 tree, whose printout, names and
 * counts the tests below expect:
 *
 * ```python
 * class Block(nn.Module):
 *     def __init__(self):
 *         super().__init__()
 *         self.conv = nn.Conv1d(2, 3, 1)
 *         self.register_buffer('scale', torch.ones(3))
 *         self.norm = nn.LayerNorm(3)
 *         self.register_buffer('cache', torch.zeros(3), persistent=False)
 *         self.gate = nn.Parameter(torch.zeros(3))
 *         self.register_parameter('unused', None)
 *     def extra_repr(self):
 *         return 'gated=True\nscale=1.0'
 * class Net(nn.Module):
 *     def __init__(self):
 *         super().__init__()
 *         self.features = nn.Sequential(Block(), nn.ReLU())
 *         self.heads = nn.ModuleDict({'classify': nn.Linear(3, 2), 'regress': nn.Linear(3, 1, bias=False)})
 *         self.register_parameter('temperature', nn.Parameter(torch.ones(1)))
 *         self.blocks = nn.ModuleList([nn.Identity(), nn.Tanh()])
 * ```
 */
export class Block extends Module {
  conv: Conv1d;
  norm: LayerNorm;
  gate: Parameter;
  declare scale: Tensor;
  declare cache: Tensor;

  constructor() {
    super();
    this.conv = new Conv1d(2, 3);
    this.registerBuffer('scale', ones([3]));
    this.norm = new LayerNorm(3);
    this.registerBuffer('cache', zeros([3]), { persistent: false });
    this.gate = new Parameter(zeros([3]));
    this.registerParameter('unused', null);
  }

  forward(input: Tensor): Tensor {
    return input;
  }

  override extraRepr(): string {
    return 'gated=True\nscale=1.0';
  }
}

export class Net extends Module {
  features = new Sequential(new Block(), new ReLU());
  heads = new ModuleDict({ classify: new Linear(3, 2), regress: new Linear(3, 1, { bias: false }) });
  declare temperature: Parameter;
  blocks: ModuleList;

  constructor() {
    super();
    this.registerParameter('temperature', new Parameter(ones([1])));
    this.blocks = new ModuleList([new Identity(), new Tanh()]);
  }

  forward(input: Tensor): Tensor {
    return this.features.forward(input);
  }
}
