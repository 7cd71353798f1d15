/**
 * Convolution layers for Strata: `Conv1d/2d/3d`, `ConvTranspose1d/2d/3d`,
 * the pooling layers, and their functional forms.
 *
 * @packageDocumentation
 */
// ---- options (options.ts) ----
export {
  type ConvFunctionalOptions,
  type ConvOptions,
  type ConvPadding,
  type ConvTransposeFunctionalOptions,
  type ConvTransposeOptions,
  type PaddingMode,
  type ResolvedConvOptions,
  type ResolvedConvTransposeOptions,
  type SizeArgument,
  resolveConvOptions,
  resolveConvTransposeOptions,
} from './options.js';
// ---- convolution (conv.ts) ----
export { Conv1d, Conv2d, Conv3d, ConvNd, conv1d, conv2d, conv3d } from './conv.js';
// ---- transposed convolution (conv-transpose.ts) ----
export {
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  ConvTransposeNd,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
} from './conv-transpose.js';
// ---- kernel contract (kernels/geometry.ts, kernels/padding.ts), for backends that override the convolution kernels ----
export type { ConvolutionGeometry } from './kernels/geometry.js';
export type { PaddingSpec, ReadingPaddingMode } from './kernels/padding.js';
// ---- pooling options (pooling-options.ts) ----
export {
  type AdaptiveMaxPoolOptions,
  type AdaptiveOutputSize,
  type AvgPoolOptions,
  type FoldOptions,
  type LPPoolOptions,
  type MaxPoolOptions,
  type MaxUnpoolFunctionalOptions,
  type MaxUnpoolOptions,
  type MinPoolOptions,
  type ResolvedAvgPoolOptions,
  type ResolvedFoldOptions,
  type ResolvedLPPoolOptions,
  type ResolvedMaxPoolOptions,
  type ResolvedMaxUnpoolOptions,
  type ResolvedPoolWindow,
  resolveAvgPoolOptions,
  resolveMaxPoolOptions,
} from './pooling-options.js';
// ---- max and min pooling (max-pooling.ts) ----
export {
  type ExtremumPoolLayerOptions,
  type IndicesOf,
  type PoolResult,
  ExtremumPoolNd,
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  MinPool1d,
  MinPool2d,
  MinPool3d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  minPool1d,
  minPool2d,
  minPool3d,
} from './max-pooling.js';
// ---- average pooling (avg-pooling.ts) ----
export { AvgPool1d, AvgPool2d, AvgPool3d, AvgPoolNd, avgPool1d, avgPool2d, avgPool3d } from './avg-pooling.js';
// ---- adaptive pooling (adaptive-pooling.ts) ----
export {
  type AdaptiveMaxPoolLayerOptions,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveAvgPoolNd,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  AdaptiveMaxPoolNd,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
} from './adaptive-pooling.js';
// ---- max unpooling (unpooling.ts) ----
export { MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, MaxUnpoolNd, maxUnpool1d, maxUnpool2d, maxUnpool3d } from './unpooling.js';
// ---- LP pooling (lp-pooling.ts) ----
export { LPPool1d, LPPool2d, LPPoolNd, lpPool1d, lpPool2d } from './lp-pooling.js';
// ---- sliding blocks (fold.ts) ----
export { Fold, Unfold, fold, unfold } from './fold.js';
