/**
 * `TransformerEncoderLayer` and `TransformerDecoderLayer`, like PyTorch's:
 * self-attention (and, in the decoder, attention to the encoder's memory),
 * then a feed-forward block `linear2(dropout(activation(linear1(x))))`, each
 * block wrapped in a residual connection and a LayerNorm, after the sum
 * (post-norm, the default) or before the block (`normFirst`). Submodules
 * carry PyTorch's names and order (`self_attn`, `linear1`, `dropout`,
 * `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`, ...).
 */
import { Dropout, Linear } from '@strata/layers-misc';
import { LayerNorm } from '@strata/layers-norm';
import { Module } from '@strata/module';
import { DTypeError, ShapeError, type Tensor, checkOptionNames, checkTensor, defaultGenerator, formatShape, gelu, relu } from '@strata/tensor';
import { MultiheadAttention } from './multihead-attention.js';
import { type ResolvedTransformerLayerOptions, type TransformerLayerOptions, checkSize, resolveTransformerLayerOptions } from './options.js';

/** Options of `TransformerEncoderLayer.forward`. */
export interface TransformerEncoderLayerForwardOptions {
  /** The self-attention mask `[L, L]` or `[N·nhead, L, L]` (bool: `true` where not allowed; float: added). @defaultValue `null` */
  srcMask?: Tensor | null;
  /** `[N, L]`: `true` (bool) for padding positions of `src`. @defaultValue `null` */
  srcKeyPaddingMask?: Tensor | null;
  /** A hint that `srcMask` is the causal mask (which is then required, as in PyTorch). @defaultValue `false` */
  isCausal?: boolean;
}

/** Options of `TransformerDecoderLayer.forward`. */
export interface TransformerDecoderLayerForwardOptions {
  /** The self-attention mask `[T, T]` or `[N·nhead, T, T]`. @defaultValue `null` */
  tgtMask?: Tensor | null;
  /** The mask of the attention to the memory, `[T, S]` or `[N·nhead, T, S]`. @defaultValue `null` */
  memoryMask?: Tensor | null;
  /** `[N, T]`: padding positions of `tgt`. @defaultValue `null` */
  tgtKeyPaddingMask?: Tensor | null;
  /** `[N, S]`: padding positions of `memory`. @defaultValue `null` */
  memoryKeyPaddingMask?: Tensor | null;
  /** A hint that `tgtMask` is the causal mask (then required). @defaultValue `false` */
  tgtIsCausal?: boolean;
  /** A hint that `memoryMask` is causal (then required). @defaultValue `false` */
  memoryIsCausal?: boolean;
}

/**
 * Builds a copy of `source` with `make` and gives it `source`'s parameter
 * values, gradient flags and mode, like Python's `copy.deepcopy`: the
 * default generator is restored afterwards, so copying draws no random numbers.
 */
export function deepCopyModule<T extends Module>(source: T, make: () => T): T {
  const state = defaultGenerator.getState();
  let copy: T;
  try {
    copy = make();
  } finally {
    defaultGenerator.setState(state);
  }
  // Built in float32; a source moved to another dtype (`double()`) gives its copies that dtype too.
  const dtype = source.parameters()[0]?.dtype;
  if (dtype !== undefined && dtype !== 'float32') copy.to(dtype);
  copy.loadStateDict(source.stateDict());
  const flags = new Map(source.namedParameters().map(([name, parameter]) => [name, parameter.requiresGrad]));
  for (const [name, parameter] of copy.namedParameters()) parameter.requiresGrad_(flags.get(name) ?? true);
  const modes = new Map(source.namedModules().map(([name, module]) => [name, module.training]));
  // namedModules lists parents before children, so each child's own mode wins.
  for (const [name, module] of copy.namedModules()) module.train(modes.get(name) ?? source.training);
  return copy;
}

/**
 * Checks a Transformer layer's input: a tensor of the parameters' dtype, 2-D or 3-D, with `dModel` features.
 * @throws TypeError, ShapeError, DTypeError.
 */
export function checkSequence(name: string, label: string, value: unknown, dModel: number, dtype: Tensor['dtype']): Tensor {
  checkTensor(name, label, value);
  if (value.ndim !== 2 && value.ndim !== 3) throw new ShapeError(`${name}: expected ${label} to be 2-D or 3-D, got shape ${formatShape(value.shape)}`);
  if (value.dtype !== dtype) throw new DTypeError(`${name}: expected ${label} of dtype ${dtype} (the parameters' dtype), got ${value.dtype}`);
  if (value.shape[value.ndim - 1] !== dModel) {
    throw new ShapeError(`${name}: expected ${label} with ${dModel} features (dModel), got shape ${formatShape(value.shape)}`);
  }
  return value;
}

/** The parts both layers share: the feed-forward block, its activation, the options. */
abstract class TransformerLayerBase extends Module {
  /** The number of features of the model. */
  readonly dModel: number;
  /** The number of attention heads. */
  readonly nhead: number;
  /** The options as resolved at construction. */
  readonly options: ResolvedTransformerLayerOptions;

  protected constructor(name: string, dModel: number, nhead: number, options: TransformerLayerOptions) {
    super();
    this.dModel = checkSize(name, 'dModel', dModel);
    this.nhead = checkSize(name, 'nhead', nhead);
    if (dModel % nhead !== 0) throw new RangeError(`${name}: dModel must be divisible by nhead, got dModel ${dModel} and nhead ${nhead}`);
    this.options = resolveTransformerLayerOptions(name, options);
  }

  /** A new attention block with this layer's options. */
  protected attention(): MultiheadAttention {
    const { dropout, batchFirst, bias } = this.options;
    return new MultiheadAttention(this.dModel, this.nhead, { dropout, batchFirst, bias });
  }

  /** Registers `linear1`, `dropout`, `linear2` in PyTorch's order. */
  protected registerFeedForward(): void {
    const { dimFeedforward, dropout, bias } = this.options;
    this.registerModule('linear1', new Linear(this.dModel, dimFeedforward, { bias }));
    this.registerModule('dropout', new Dropout(dropout));
    this.registerModule('linear2', new Linear(dimFeedforward, this.dModel, { bias }));
  }

  /** Registers the LayerNorms `norm1` … `norm{count}`. */
  protected registerNorms(count: number): void {
    const { layerNormEps, bias } = this.options;
    for (let i = 1; i <= count; i++) this.registerModule(`norm${i}`, new LayerNorm(this.dModel, { eps: layerNormEps, bias }));
  }

  /** Registers the dropouts after the blocks, `dropout1` … `dropout{count}`. */
  protected registerDropouts(count: number): void {
    for (let i = 1; i <= count; i++) this.registerModule(`dropout${i}`, new Dropout(this.options.dropout));
  }

  /** The submodule `name`, typed. */
  protected part<T extends Module>(name: string): T {
    return this.getSubmodule(name) as T;
  }

  /** The feed-forward block with its closing dropout (`dropout{index}`). */
  protected feedForward(x: Tensor, index: number): Tensor {
    const hidden = this.part<Linear>('linear1').forward(x);
    const activated = this.options.activation === 'gelu' ? gelu(hidden) : relu(hidden);
    const projected = this.part<Linear>('linear2').forward(this.part<Dropout>('dropout').forward(activated));
    return this.part<Dropout>(`dropout${index}`).forward(projected);
  }

  /** An attention block (`self_attn` or `multihead_attn`) without weights, with its closing dropout. */
  protected attentionBlock(
    attention: string, dropoutIndex: number, x: Tensor, memory: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean,
  ): Tensor {
    const [output] = this.part<MultiheadAttention>(attention).forward(x, memory, memory, { attnMask, keyPaddingMask, needWeights: false, isCausal });
    return this.part<Dropout>(`dropout${dropoutIndex}`).forward(output);
  }

  /** The LayerNorm `norm{index}`. */
  protected norm(index: number, x: Tensor): Tensor {
    return this.part<LayerNorm>(`norm${index}`).forward(x);
  }

  /** The parameters' dtype, which inputs must have. */
  protected get dtype(): Tensor['dtype'] {
    return this.part<Linear>('linear1').weight.dtype;
  }
}

/**
 * One Transformer encoder layer, like `torch.nn.TransformerEncoderLayer`:
 * `x = norm1(x + selfAttention(x)); x = norm2(x + feedForward(x))`, or with
 * `normFirst`, `x = x + selfAttention(norm1(x)); x = x + feedForward(norm2(x))`.
 *
 * **Shape:** src `[L, N, dModel]` (`[N, L, dModel]` with `batchFirst`, `[L, dModel]` unbatched); output the same.
 *
 * @example
 * ```ts
 * const layer = new TransformerEncoderLayer(64, 8, { dimFeedforward: 256, batchFirst: true });
 * layer.forward(randn([2, 10, 64])).shape; // [2, 10, 64]
 * ```
 */
export class TransformerEncoderLayer extends TransformerLayerBase {
  /** @throws RangeError for sizes that are not positive integers, `dModel` not divisible by `nhead`, or a bad option. */
  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super('TransformerEncoderLayer', dModel, nhead, options);
    this.registerModule('self_attn', this.attention());
    this.registerFeedForward();
    this.registerNorms(2);
    this.registerDropouts(2);
  }

  /** The self-attention block (`self_attn`). */
  get selfAttn(): MultiheadAttention {
    return this.part('self_attn');
  }

  /**
   * @throws TypeError, ShapeError, DTypeError for a `src` or a mask that does not fit.
   * @throws RangeError for an unknown option, or `isCausal` without `srcMask`.
   */
  forward(src: Tensor, options: TransformerEncoderLayerForwardOptions = {}): Tensor {
    const name = 'TransformerEncoderLayer';
    checkOptionNames(name, options, ['srcMask', 'srcKeyPaddingMask', 'isCausal']);
    let x = checkSequence(name, 'src', src, this.dModel, this.dtype);
    const mask = options.srcMask ?? null;
    const padding = options.srcKeyPaddingMask ?? null;
    const isCausal = options.isCausal ?? false;
    if (this.options.normFirst) {
      const normed = this.norm(1, x);
      x = x.add(this.attentionBlock('self_attn', 1, normed, normed, mask, padding, isCausal));
      x = x.add(this.feedForward(this.norm(2, x), 2));
    } else {
      x = this.norm(1, x.add(this.attentionBlock('self_attn', 1, x, x, mask, padding, isCausal)));
      x = this.norm(2, x.add(this.feedForward(x, 2)));
    }
    return x;
  }

  /** A copy with its own parameters, equal to these (PyTorch's `copy.deepcopy`). */
  deepCopy(): TransformerEncoderLayer {
    return deepCopyModule(this, () => new TransformerEncoderLayer(this.dModel, this.nhead, this.options));
  }

  override getName(): string {
    return 'TransformerEncoderLayer';
  }
}

/**
 * One Transformer decoder layer, like `torch.nn.TransformerDecoderLayer`:
 * self-attention over the target, attention from the target to the
 * encoder's `memory` (`multihead_attn`), then the feed-forward block, each
 * with a residual connection and a LayerNorm (post-norm, or pre-norm with `normFirst`).
 *
 * **Shape:** tgt `[T, N, dModel]`, memory `[S, N, dModel]` (batch first:
 * `[N, T, dModel]`, `[N, S, dModel]`); output like `tgt`.
 *
 * @example
 * ```ts
 * const layer = new TransformerDecoderLayer(64, 8, { dimFeedforward: 256 });
 * layer.forward(randn([7, 2, 64]), randn([10, 2, 64])).shape; // [7, 2, 64]
 * ```
 */
export class TransformerDecoderLayer extends TransformerLayerBase {
  /** @throws RangeError for sizes that are not positive integers, `dModel` not divisible by `nhead`, or a bad option. */
  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super('TransformerDecoderLayer', dModel, nhead, options);
    this.registerModule('self_attn', this.attention());
    this.registerModule('multihead_attn', this.attention());
    this.registerFeedForward();
    this.registerNorms(3);
    this.registerDropouts(3);
  }

  /** The self-attention block (`self_attn`). */
  get selfAttn(): MultiheadAttention {
    return this.part('self_attn');
  }

  /** The attention to the memory (`multihead_attn`). */
  get multiheadAttn(): MultiheadAttention {
    return this.part('multihead_attn');
  }

  /**
   * @throws TypeError, ShapeError, DTypeError for a `tgt`, a `memory` or a mask that does not fit.
   * @throws RangeError for an unknown option, or an `…IsCausal` hint without its mask.
   */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    const name = 'TransformerDecoderLayer';
    checkOptionNames(name, options, ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal']);
    let x = checkSequence(name, 'tgt', tgt, this.dModel, this.dtype);
    const mem = checkSequence(name, 'memory', memory, this.dModel, this.dtype);
    if (mem.ndim !== x.ndim) throw new ShapeError(`${name}: expected memory to be ${x.ndim}-D like tgt, got shape ${formatShape(mem.shape)}`);
    const batchDim = this.options.batchFirst ? 0 : 1;
    if (x.ndim === 3 && mem.shape[batchDim] !== x.shape[batchDim]) {
      throw new ShapeError(`${name}: expected memory with batch size ${x.shape[batchDim]} (tgt's), got shape ${formatShape(mem.shape)}`);
    }
    const o = {
      tgtMask: options.tgtMask ?? null, memoryMask: options.memoryMask ?? null,
      tgtPadding: options.tgtKeyPaddingMask ?? null, memoryPadding: options.memoryKeyPaddingMask ?? null,
      tgtIsCausal: options.tgtIsCausal ?? false, memoryIsCausal: options.memoryIsCausal ?? false,
    };
    if (this.options.normFirst) {
      const normed = this.norm(1, x);
      x = x.add(this.attentionBlock('self_attn', 1, normed, normed, o.tgtMask, o.tgtPadding, o.tgtIsCausal));
      x = x.add(this.attentionBlock('multihead_attn', 2, this.norm(2, x), mem, o.memoryMask, o.memoryPadding, o.memoryIsCausal));
      x = x.add(this.feedForward(this.norm(3, x), 3));
    } else {
      x = this.norm(1, x.add(this.attentionBlock('self_attn', 1, x, x, o.tgtMask, o.tgtPadding, o.tgtIsCausal)));
      x = this.norm(2, x.add(this.attentionBlock('multihead_attn', 2, x, mem, o.memoryMask, o.memoryPadding, o.memoryIsCausal)));
      x = this.norm(3, x.add(this.feedForward(x, 3)));
    }
    return x;
  }

  /** A copy with its own parameters, equal to these (PyTorch's `copy.deepcopy`). */
  deepCopy(): TransformerDecoderLayer {
    return deepCopyModule(this, () => new TransformerDecoderLayer(this.dModel, this.nhead, this.options));
  }

  override getName(): string {
    return 'TransformerDecoderLayer';
  }
}
