/**
 * Convolution layers for Strata: `Conv1d/2d/3d`, `ConvTranspose1d/2d/3d`
 * and their functional forms, on im2col and the packed matrix product.
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
export { ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, ConvTransposeNd, convTranspose1d, convTranspose2d, convTranspose3d } from './conv-transpose.js';
// ---- kernel contract (kernels/geometry.ts, kernels/padding.ts), for backends that override the convolution kernels ----
export type { ConvolutionGeometry } from './kernels/geometry.js';
export type { PaddingSpec, ReadingPaddingMode } from './kernels/padding.js';
