/**
 * The options of the attention layers and of `scaledDotProductAttention`:
 * PyTorch's keyword arguments in camelCase, each with its default, and one
 * `resolve…Options` per family that validates and freezes them. Messages
 * name the layer, the argument, what was expected and what came.
 */
import { checkOptionNames, describeOption } from '@strata/module';
import { checkElementCount } from '@strata/tensor';

/** @throws RangeError `MultiheadAttention: embedDim must be a positive integer, got 2.5` */
export function checkSize(name: string, argument: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new RangeError(`${name}: ${argument} must be a positive integer, got ${describeOption(value)}`);
  }
  return value as number;
}

/** @throws RangeError when `value` is not a boolean. */
function checkBoolean(name: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new RangeError(`${name}: ${argument} must be a boolean, got ${describeOption(value)}`);
  return value;
}

/** @throws RangeError when `value` is not a probability in [0, 1]. */
export function checkProbability(name: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${name}: ${argument} probability has to be between 0 and 1, but got ${describeOption(value)}`);
  }
  return value;
}

/** Options of `MultiheadAttention`. */
export interface MultiheadAttentionOptions {
  /**
   * The probability of zeroing an attention weight, in training mode.
   * @defaultValue `0`
   */
  dropout?: number;
  /**
   * Whether the input and output projections have biases (`in_proj_bias`, `out_proj.bias`).
   * @defaultValue `true`
   */
  bias?: boolean;
  /**
   * Whether a learned key and value (`bias_k`, `bias_v`, each `[1, 1, embedDim]`)
   * are appended to the key and value sequences.
   * @defaultValue `false`
   */
  addBiasKv?: boolean;
  /**
   * Whether a zero key and value are appended to the sequences after the projection.
   * @defaultValue `false`
   */
  addZeroAttn?: boolean;
  /**
   * The number of features of the key; when it or `vdim` differs from
   * `embedDim`, the projections are the separate `q_proj_weight`,
   * `k_proj_weight`, `v_proj_weight`.
   * @defaultValue `embedDim`
   */
  kdim?: number;
  /**
   * The number of features of the value.
   * @defaultValue `embedDim`
   */
  vdim?: number;
  /**
   * Whether inputs and outputs are `[N, L, E]` instead of `[L, N, E]`.
   * @defaultValue `false`
   */
  batchFirst?: boolean;
}

/** `MultiheadAttentionOptions` checked and spelled out. */
export interface ResolvedMultiheadAttentionOptions {
  /** The dropout probability of the attention weights. */
  readonly dropout: number;
  /** Whether the projections have biases. */
  readonly bias: boolean;
  /** Whether `bias_k` and `bias_v` are appended to the key and value. */
  readonly addBiasKv: boolean;
  /** Whether a zero key and value are appended. */
  readonly addZeroAttn: boolean;
  /** The number of features of the key. */
  readonly kdim: number;
  /** The number of features of the value. */
  readonly vdim: number;
  /** Whether inputs and outputs are batch first. */
  readonly batchFirst: boolean;
}

/**
 * Checks and freezes the options of `MultiheadAttention`.
 * @throws RangeError for an unknown option or a value out of range.
 */
export function resolveMultiheadAttentionOptions(
  name: string, embedDim: number, options: MultiheadAttentionOptions = {},
): ResolvedMultiheadAttentionOptions {
  checkOptionNames(name, options, ['dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst']);
  const kdim = checkSize(name, 'kdim', options.kdim ?? embedDim);
  const vdim = checkSize(name, 'vdim', options.vdim ?? embedDim);
  // The projection weights are [embedDim, kdim] and [embedDim, vdim]: refuse sizes no tensor can hold before allocating.
  checkElementCount(name, [embedDim, kdim], 'the key projection weight');
  checkElementCount(name, [embedDim, vdim], 'the value projection weight');
  checkElementCount(name, [3 * embedDim, embedDim], 'the input projection weight');
  return Object.freeze({
    dropout: checkProbability(name, 'dropout', options.dropout ?? 0),
    bias: checkBoolean(name, 'bias', options.bias ?? true),
    addBiasKv: checkBoolean(name, 'addBiasKv', options.addBiasKv ?? false),
    addZeroAttn: checkBoolean(name, 'addZeroAttn', options.addZeroAttn ?? false),
    kdim,
    vdim,
    batchFirst: checkBoolean(name, 'batchFirst', options.batchFirst ?? false),
  });
}

/** The activation between the two linear maps of a Transformer layer's feed-forward block. */
export type TransformerActivation = 'relu' | 'gelu';

/** Options of `TransformerEncoderLayer` and `TransformerDecoderLayer`. */
export interface TransformerLayerOptions {
  /**
   * The width of the feed-forward block.
   * @defaultValue `2048`
   */
  dimFeedforward?: number;
  /**
   * The dropout probability of the attention weights and after each block (training mode).
   * @defaultValue `0.1`
   */
  dropout?: number;
  /**
   * The feed-forward activation.
   * @defaultValue `'relu'`
   */
  activation?: TransformerActivation;
  /**
   * The `eps` of every LayerNorm.
   * @defaultValue `1e-5`
   */
  layerNormEps?: number;
  /**
   * Whether inputs and outputs are `[N, L, E]` instead of `[L, N, E]`.
   * @defaultValue `false`
   */
  batchFirst?: boolean;
  /**
   * Whether each block normalizes its input (pre-norm) instead of the residual sum (post-norm).
   * @defaultValue `false`
   */
  normFirst?: boolean;
  /**
   * Whether the linear maps and LayerNorms have biases (PyTorch 2.1's `bias`).
   * @defaultValue `true`
   */
  bias?: boolean;
}

/** `TransformerLayerOptions` checked and spelled out. */
export interface ResolvedTransformerLayerOptions {
  /** The width of the feed-forward block. */
  readonly dimFeedforward: number;
  /** The dropout probability. */
  readonly dropout: number;
  /** The feed-forward activation. */
  readonly activation: TransformerActivation;
  /** The `eps` of every LayerNorm. */
  readonly layerNormEps: number;
  /** Whether inputs and outputs are batch first. */
  readonly batchFirst: boolean;
  /** Whether the LayerNorms come before the blocks (pre-norm). */
  readonly normFirst: boolean;
  /** Whether the linear maps and LayerNorms have biases. */
  readonly bias: boolean;
}

const TRANSFORMER_LAYER_OPTION_NAMES = ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'] as const;

/** Checks the options common to the Transformer layers and `Transformer`. */
function resolveLayerFields(name: string, options: TransformerLayerOptions): ResolvedTransformerLayerOptions {
  const activation = options.activation ?? 'relu';
  if (activation !== 'relu' && activation !== 'gelu') {
    throw new RangeError(`${name}: activation should be relu/gelu, not ${describeOption(activation)}`);
  }
  const layerNormEps = options.layerNormEps ?? 1e-5;
  if (typeof layerNormEps !== 'number' || !(layerNormEps > 0) || !Number.isFinite(layerNormEps)) {
    throw new RangeError(`${name}: layerNormEps must be a positive number, got ${describeOption(layerNormEps)}`);
  }
  return Object.freeze({
    dimFeedforward: checkSize(name, 'dimFeedforward', options.dimFeedforward ?? 2048),
    dropout: checkProbability(name, 'dropout', options.dropout ?? 0.1),
    activation,
    layerNormEps,
    batchFirst: checkBoolean(name, 'batchFirst', options.batchFirst ?? false),
    normFirst: checkBoolean(name, 'normFirst', options.normFirst ?? false),
    bias: checkBoolean(name, 'bias', options.bias ?? true),
  });
}

/**
 * Checks and freezes the options of a Transformer layer.
 * @throws RangeError for an unknown option or a value out of range.
 */
export function resolveTransformerLayerOptions(name: string, options: TransformerLayerOptions = {}): ResolvedTransformerLayerOptions {
  checkOptionNames(name, options, TRANSFORMER_LAYER_OPTION_NAMES);
  return resolveLayerFields(name, options);
}

/** Options of `Transformer`: the sizes of the model and the options of its layers. */
export interface TransformerOptions extends TransformerLayerOptions {
  /**
   * The number of features of the model.
   * @defaultValue `512`
   */
  dModel?: number;
  /**
   * The number of attention heads.
   * @defaultValue `8`
   */
  nhead?: number;
  /**
   * The number of encoder layers.
   * @defaultValue `6`
   */
  numEncoderLayers?: number;
  /**
   * The number of decoder layers.
   * @defaultValue `6`
   */
  numDecoderLayers?: number;
}

/** `TransformerOptions` checked and spelled out. */
export interface ResolvedTransformerOptions extends ResolvedTransformerLayerOptions {
  /** The number of features of the model. */
  readonly dModel: number;
  /** The number of attention heads. */
  readonly nhead: number;
  /** The number of encoder layers. */
  readonly numEncoderLayers: number;
  /** The number of decoder layers. */
  readonly numDecoderLayers: number;
}

/**
 * Checks and freezes the options of `Transformer`.
 * @throws RangeError for an unknown option or a value out of range.
 */
export function resolveTransformerOptions(name: string, options: TransformerOptions = {}): ResolvedTransformerOptions {
  checkOptionNames(name, options, [...TRANSFORMER_LAYER_OPTION_NAMES, 'dModel', 'nhead', 'numEncoderLayers', 'numDecoderLayers']);
  return Object.freeze({
    ...resolveLayerFields(name, options),
    dModel: checkSize(name, 'dModel', options.dModel ?? 512),
    nhead: checkSize(name, 'nhead', options.nhead ?? 8),
    numEncoderLayers: checkSize(name, 'numEncoderLayers', options.numEncoderLayers ?? 6),
    numDecoderLayers: checkSize(name, 'numDecoderLayers', options.numDecoderLayers ?? 6),
  });
}
