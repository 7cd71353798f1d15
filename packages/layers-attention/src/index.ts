/**
 * Multi-head attention and the Transformer for Strata, with PyTorch's
 * parameter names, state-dict keys, initialization and masks.
 *
 * @packageDocumentation
 */
// ---- options (options.ts) ----
export {
  type MultiheadAttentionOptions,
  type ResolvedMultiheadAttentionOptions,
  type ResolvedTransformerLayerOptions,
  type ResolvedTransformerOptions,
  type TransformerActivation,
  type TransformerLayerOptions,
  type TransformerOptions,
  resolveMultiheadAttentionOptions,
  resolveTransformerLayerOptions,
  resolveTransformerOptions,
} from './options.js';
// ---- scaled dot-product attention (scaled-dot-product-attention.ts) ----
export { type ScaledDotProductAttentionOptions, scaledDotProductAttention } from './scaled-dot-product-attention.js';
// ---- multi-head attention (multihead-attention.ts) ----
export { type MultiheadAttentionForwardOptions, MultiheadAttention, NonDynamicallyQuantizableLinear } from './multihead-attention.js';
// ---- Transformer layers (transformer-layers.ts) and stacks (transformer.ts) ----
export {
  type TransformerDecoderLayerForwardOptions,
  type TransformerEncoderLayerForwardOptions,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
} from './transformer-layers.js';
export {
  type TransformerDecoderForwardOptions,
  type TransformerEncoderForwardOptions,
  type TransformerForwardOptions,
  type TransformerStackOptions,
  Transformer,
  TransformerDecoder,
  TransformerEncoder,
} from './transformer.js';
