/**
 * Loss functions for Strata, like PyTorch's `torch.nn` losses: each as a
 * module (`CrossEntropyLoss`, with `forward(input, target)`) and as a
 * functional op (`crossEntropy(input, target, options)`).
 *
 * @packageDocumentation
 */
// ---- options (options.ts) ----
export {
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
  type CosineEmbeddingLossOptions,
  type CrossEntropyLossOptions,
  type HuberLossOptions,
  type KLDivLossOptions,
  type KLDivReduction,
  type LossOptions,
  type MarginLossOptions,
  type MarginRankingLossOptions,
  type NLLLossOptions,
  type Reduction,
  type ResolvedBinaryLossOptions,
  type ResolvedClassIndexLossOptions,
  type ResolvedHuberLossOptions,
  type ResolvedKLDivLossOptions,
  type ResolvedLossOptions,
  type ResolvedMarginLossOptions,
  type ResolvedSmoothL1LossOptions,
  type ResolvedTripletMarginLossOptions,
  type SmoothL1LossOptions,
  type TripletMarginLossOptions,
  resolveBCELossOptions,
  resolveBCEWithLogitsLossOptions,
  resolveCrossEntropyLossOptions,
  resolveHuberLossOptions,
  resolveKLDivLossOptions,
  resolveLossOptions,
  resolveMarginLossOptions,
  resolveNLLLossOptions,
  resolveSmoothL1LossOptions,
  resolveTripletMarginLossOptions,
} from './options.js';
// ---- base classes (loss.ts) ----
export { Loss, WeightedLoss } from './loss.js';
// ---- regression (regression.ts) ----
export { HuberLoss, L1Loss, MSELoss, SmoothL1Loss, huberLoss, l1Loss, mseLoss, smoothL1Loss } from './regression.js';
// ---- classification (nll.ts, cross-entropy.ts) ----
export { NLLLoss, nllLoss } from './nll.js';
export { CrossEntropyLoss, crossEntropy } from './cross-entropy.js';
export { BCELoss, BCEWithLogitsLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits } from './binary.js';
export { KLDivLoss, klDiv } from './kl-div.js';
// ---- similarity and ranking (embedding.ts) ----
export {
  CosineEmbeddingLoss,
  MarginRankingLoss,
  TripletMarginLoss,
  cosineEmbeddingLoss,
  marginRankingLoss,
  tripletMarginLoss,
} from './embedding.js';
// ---- kernel contract (kernels/class-index.ts), for backends that override the class-index kernels ----
export type { ClassIndexLayout, ClassIndexLossResult, ClassIndexSettings, CrossEntropyResult } from './kernels/class-index.js';
