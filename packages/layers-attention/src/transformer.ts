/**
 * The stacks, `TransformerEncoder` and `TransformerDecoder` (deep copies of
 * one layer under `layers.0`, `layers.1`, ..., and an optional final
 * `norm`), and the whole `Transformer`, like PyTorch's
 * `torch/nn/modules/transformer.py`.
 */
import { LayerNorm } from '@strata/layers-norm';
import { Module, ModuleList, xavierUniform_ } from '@strata/module';
import { type DType, ShapeError, Tensor, allocate, checkOptionNames, checkTensor, formatShape } from '@strata/tensor';
import { type ResolvedTransformerOptions, type TransformerOptions, checkSize, resolveTransformerOptions } from './options.js';
import { TransformerDecoderLayer, TransformerEncoderLayer } from './transformer-layers.js';

/** Options of `TransformerEncoder` and `TransformerDecoder`. */
export interface TransformerStackOptions {
  /** A final normalization of the output (registered as `norm`). @defaultValue `null` */
  norm?: LayerNorm | null;
}

/** Options of `TransformerEncoder.forward`. */
export interface TransformerEncoderForwardOptions {
  /** The self-attention mask of every layer, `[L, L]` or `[N·nhead, L, L]`. @defaultValue `null` */
  mask?: Tensor | null;
  /** `[N, L]`: padding positions of `src`. @defaultValue `null` */
  srcKeyPaddingMask?: Tensor | null;
  /** A hint that `mask` is the causal mask (then required). @defaultValue `false` */
  isCausal?: boolean;
}

/** Options of `TransformerDecoder.forward` (those of `TransformerDecoderLayer.forward`). */
export type { TransformerDecoderLayerForwardOptions as TransformerDecoderForwardOptions } from './transformer-layers.js';
import type { TransformerDecoderLayerForwardOptions } from './transformer-layers.js';

/** Options of `Transformer.forward`. */
export interface TransformerForwardOptions extends TransformerDecoderLayerForwardOptions {
  /** The encoder's self-attention mask. @defaultValue `null` */
  srcMask?: Tensor | null;
  /** `[N, S]`: padding positions of `src`. @defaultValue `null` */
  srcKeyPaddingMask?: Tensor | null;
  /** A hint that `srcMask` is the causal mask (then required). @defaultValue `false` */
  srcIsCausal?: boolean;
}

/** @throws TypeError when `norm` is neither a LayerNorm nor null. */
function checkNorm(name: string, norm: unknown): LayerNorm | null {
  if (norm === null || norm === undefined) return null;
  if (!(norm instanceof Module)) throw new TypeError(`${name}: expected norm to be a Module or null, got ${typeof norm}`);
  return norm as LayerNorm;
}

/**
 * A stack of `numLayers` encoder layers, like `torch.nn.TransformerEncoder`:
 * each a deep copy of `encoderLayer` (same initial parameters, as PyTorch's
 * `copy.deepcopy`), applied in turn, then `norm` if given.
 *
 * **Shape:** as `TransformerEncoderLayer`.
 *
 * @example
 * ```ts
 * const encoder = new TransformerEncoder(new TransformerEncoderLayer(64, 8, { batchFirst: true }), 6);
 * encoder.forward(randn([2, 10, 64])).shape; // [2, 10, 64]
 * ```
 */
export class TransformerEncoder extends Module {
  /** The number of layers. */
  readonly numLayers: number;
  /** The layers (`layers.0`, `layers.1`, ...), deep copies of the one given. */
  layers: ModuleList;
  /** The final normalization, or null. */
  norm: LayerNorm | null;

  /** @throws TypeError when `encoderLayer` is not a TransformerEncoderLayer; RangeError for a bad `numLayers` or option. */
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options: TransformerStackOptions = {}) {
    super();
    const name = 'TransformerEncoder';
    checkOptionNames(name, options, ['norm']);
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new TypeError(`${name}: expected encoderLayer to be a TransformerEncoderLayer`);
    this.numLayers = checkSize(name, 'numLayers', numLayers);
    const norm = checkNorm(name, options.norm);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.deepCopy()));
    this.norm = norm;
  }

  /**
   * @throws TypeError, ShapeError, DTypeError for a `src` or a mask that does not fit (see `TransformerEncoderLayer.forward`).
   * @throws RangeError for an unknown option, or `isCausal` without `mask`.
   */
  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    checkOptionNames('TransformerEncoder', options, ['mask', 'srcKeyPaddingMask', 'isCausal']);
    const layerOptions = { srcMask: options.mask ?? null, srcKeyPaddingMask: options.srcKeyPaddingMask ?? null, isCausal: options.isCausal ?? false };
    let output = src;
    for (const layer of this.layers.children() as TransformerEncoderLayer[]) output = layer.forward(output, layerOptions);
    return this.norm === null ? output : this.norm.forward(output);
  }

  override getName(): string {
    return 'TransformerEncoder';
  }
}

/**
 * A stack of `numLayers` decoder layers, like `torch.nn.TransformerDecoder`:
 * deep copies of `decoderLayer` applied in turn to the target, each
 * attending to the same `memory`, then `norm` if given.
 *
 * **Shape:** as `TransformerDecoderLayer`.
 *
 * @example
 * ```ts
 * const decoder = new TransformerDecoder(new TransformerDecoderLayer(64, 8), 2);
 * decoder.forward(randn([7, 2, 64]), randn([10, 2, 64])).shape; // [7, 2, 64]
 * ```
 */
export class TransformerDecoder extends Module {
  /** The number of layers. */
  readonly numLayers: number;
  /** The layers (`layers.0`, `layers.1`, ...), deep copies of the one given. */
  layers: ModuleList;
  /** The final normalization, or null. */
  norm: LayerNorm | null;

  /** @throws TypeError when `decoderLayer` is not a TransformerDecoderLayer; RangeError for a bad `numLayers` or option. */
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, options: TransformerStackOptions = {}) {
    super();
    const name = 'TransformerDecoder';
    checkOptionNames(name, options, ['norm']);
    if (!(decoderLayer instanceof TransformerDecoderLayer)) throw new TypeError(`${name}: expected decoderLayer to be a TransformerDecoderLayer`);
    this.numLayers = checkSize(name, 'numLayers', numLayers);
    const norm = checkNorm(name, options.norm);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.deepCopy()));
    this.norm = norm;
  }

  /**
   * @throws TypeError, ShapeError, DTypeError for inputs or masks that do not fit (see `TransformerDecoderLayer.forward`).
   * @throws RangeError for an unknown option, or an `…IsCausal` hint without its mask.
   */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    let output = tgt;
    for (const layer of this.layers.children() as TransformerDecoderLayer[]) output = layer.forward(output, memory, options);
    return this.norm === null ? output : this.norm.forward(output);
  }

  override getName(): string {
    return 'TransformerDecoder';
  }
}

/**
 * The Transformer of "Attention Is All You Need", like `torch.nn.Transformer`:
 * an encoder of `numEncoderLayers` layers and a decoder of
 * `numDecoderLayers`, each closed by a LayerNorm; every parameter with more
 * than one dimension is then re-initialized Xavier-uniform (as PyTorch's
 * `_reset_parameters`).
 *
 * **Shape:** src `[S, N, dModel]`, tgt `[T, N, dModel]` (batch first:
 * `[N, S, dModel]`, `[N, T, dModel]`); output like `tgt`.
 *
 * @example
 * ```ts
 * const model = new Transformer({ dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64 });
 * const tgtMask = Transformer.generateSquareSubsequentMask(7);
 * model.forward(randn([10, 2, 32]), randn([7, 2, 32]), { tgtMask }).shape; // [7, 2, 32]
 * ```
 */
export class Transformer extends Module {
  /** The number of features of the model. */
  readonly dModel: number;
  /** The number of attention heads. */
  readonly nhead: number;
  /** Whether inputs and outputs are `[N, L, dModel]`. */
  readonly batchFirst: boolean;
  /** The options as resolved at construction. */
  readonly options: ResolvedTransformerOptions;
  /** The encoder, closed by a LayerNorm. */
  encoder: TransformerEncoder;
  /** The decoder, closed by a LayerNorm. */
  decoder: TransformerDecoder;

  /** @throws RangeError for an unknown option or a value out of range. */
  constructor(options: TransformerOptions = {}) {
    super();
    const resolved = resolveTransformerOptions('Transformer', options);
    this.options = resolved;
    this.dModel = resolved.dModel;
    this.nhead = resolved.nhead;
    this.batchFirst = resolved.batchFirst;
    const { dModel, nhead, numEncoderLayers, numDecoderLayers, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias } = resolved;
    const layerOptions = { dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias };
    const norm = (): LayerNorm => new LayerNorm(dModel, { eps: layerNormEps, bias });
    this.encoder = new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOptions), numEncoderLayers, { norm: norm() });
    this.decoder = new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOptions), numDecoderLayers, { norm: norm() });
    this.resetParameters();
  }

  /** PyTorch's `_reset_parameters`: Xavier-uniform for every parameter of more than one dimension. */
  resetParameters(): void {
    for (const parameter of this.parameters()) if (parameter.ndim > 1) xavierUniform_(parameter);
  }

  /**
   * Encodes `src`, then decodes `tgt` attending to the encoding.
   * @throws TypeError, ShapeError, DTypeError for inputs or masks that do not fit
   * (`Transformer: the batch number of src and tgt must be equal`).
   * @throws RangeError for an unknown option, or an `…IsCausal` hint without its mask.
   */
  forward(src: Tensor, tgt: Tensor, options: TransformerForwardOptions = {}): Tensor {
    const name = 'Transformer';
    checkOptionNames(name, options, [
      'srcMask', 'tgtMask', 'memoryMask', 'srcKeyPaddingMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'srcIsCausal', 'tgtIsCausal', 'memoryIsCausal',
    ]);
    checkTensor(name, 'src', src);
    checkTensor(name, 'tgt', tgt);
    const batchDim = this.batchFirst ? 0 : 1;
    if (src.ndim === 3 && tgt.ndim === 3 && src.shape[batchDim] !== tgt.shape[batchDim]) {
      throw new ShapeError(`${name}: the batch number of src and tgt must be equal, got src shape ${formatShape(src.shape)} and tgt shape ${formatShape(tgt.shape)}`);
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new ShapeError(`${name}: the feature number of src and tgt must be equal to dModel (${this.dModel}), got src shape ${formatShape(src.shape)} and tgt shape ${formatShape(tgt.shape)}`);
    }
    const memory = this.encoder.forward(src, { mask: options.srcMask ?? null, srcKeyPaddingMask: options.srcKeyPaddingMask ?? null, isCausal: options.srcIsCausal ?? false });
    return this.decoder.forward(tgt, memory, {
      tgtMask: options.tgtMask ?? null, memoryMask: options.memoryMask ?? null,
      tgtKeyPaddingMask: options.tgtKeyPaddingMask ?? null, memoryKeyPaddingMask: options.memoryKeyPaddingMask ?? null,
      tgtIsCausal: options.tgtIsCausal ?? false, memoryIsCausal: options.memoryIsCausal ?? false,
    });
  }

  /**
   * The causal mask of a sequence of `size` steps, like PyTorch's
   * `generate_square_subsequent_mask`: `[size, size]`, −∞ above the diagonal
   * (a step may not attend to later ones), 0 elsewhere.
   * @throws RangeError when `size` is not a positive integer.
   * @example
   * ```ts
   * Transformer.generateSquareSubsequentMask(3).tolist(); // [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]
   * ```
   */
  static generateSquareSubsequentMask(size: number, options: { dtype?: DType } = {}): Tensor {
    checkSize('Transformer.generateSquareSubsequentMask', 'size', size);
    const data = allocate(options.dtype ?? 'float32', size * size);
    for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) data[i * size + j] = Number.NEGATIVE_INFINITY;
    return Tensor.fromData(data, [size, size]);
  }

  override getName(): string {
    return 'Transformer';
  }
}
