/**
 * Linear, Bilinear, Identity, Flatten, Unflatten, the dropouts, Embedding,
 * EmbeddingBag and the activation layers for Strata, with their functional
 * forms, like PyTorch's `torch.nn` modules of the same names.
 *
 * @packageDocumentation
 */
// ---- options (options.ts) ----
export {
  type ActivationOptions,
  type DropoutFunctionalOptions,
  type DropoutOptions,
  type EmbeddingBagFromPretrainedOptions,
  type EmbeddingBagFunctionalOptions,
  type EmbeddingBagMode,
  type EmbeddingBagOptions,
  type EmbeddingFromPretrainedOptions,
  type EmbeddingOptions,
  type LinearOptions,
  type ResolvedActivationOptions,
  type ResolvedDropoutOptions,
  type ResolvedEmbeddingBagOptions,
  type ResolvedEmbeddingOptions,
  type ResolvedLinearOptions,
  resolveActivationOptions,
  resolveDropoutFunctionalOptions,
  resolveDropoutOptions,
  resolveEmbeddingBagOptions,
  resolveEmbeddingOptions,
  resolveLinearOptions,
} from './options.js';
// ---- linear maps (linear.ts) and reshaping (flatten.ts) ----
export { Bilinear, Identity, Linear, bilinear, linear } from './linear.js';
export { Flatten, Unflatten } from './flatten.js';
// ---- dropout (dropout.ts) ----
export {
  AlphaDropout,
  Dropout,
  Dropout1d,
  Dropout2d,
  Dropout3d,
  DropoutNd,
  FeatureAlphaDropout,
  alphaDropout,
  dropout,
  dropout1d,
  dropout2d,
  dropout3d,
  featureAlphaDropout,
} from './dropout.js';
// ---- embeddings (embedding.ts, embedding-bag.ts) ----
export { Embedding, embedding } from './embedding.js';
export { EmbeddingBag, embeddingBag } from './embedding-bag.js';
export type { EmbeddingBagResult } from './kernels/embedding-bag.js';
// ---- activations (activation.ts, activation-smooth.ts, activation-softmax.ts, prelu.ts) ----
export { InplaceActivation } from './activation-base.js';
export { CELU, ELU, Hardtanh, LeakyReLU, ReLU, ReLU6, SELU, Threshold } from './activation.js';
export { GELU, Hardsigmoid, Hardswish, Mish, SiLU, Sigmoid, Softplus, Softsign, Tanh, Tanhshrink } from './activation-smooth.js';
export { GLU, LogSoftmax, Softmax, Softmin } from './activation-softmax.js';
export { PReLU, prelu } from './prelu.js';
// ---- warnings (warnings.ts) ----
export { setWarningSink } from './warnings.js';
