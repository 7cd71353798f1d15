/**
 * Normalization layers for Strata: batch, instance, layer, group, RMS and
 * local response normalization, as modules and as functional ops.
 *
 * @packageDocumentation
 */
export { type BatchNormFunctionalOptions, BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d, batchNorm } from './batch-norm.js';
export { type InstanceNormFunctionalOptions, InstanceNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, instanceNorm } from './instance-norm.js';
export { type LayerNormFunctionalOptions, LayerNorm, layerNorm } from './layer-norm.js';
export { type GroupNormFunctionalOptions, GroupNorm, groupNorm } from './group-norm.js';
export { type RMSNormFunctionalOptions, RMSNorm, rmsNorm } from './rms-norm.js';
export { LocalResponseNorm, localResponseNorm } from './local-response-norm.js';
export { NormBase } from './norm-base.js';
// the kernel contract: signatures on KernelRegistry, and the backend name of the fused backward kernels' defaults
export { COMPOSITE_BACKEND } from './kernel-signatures.js';
export type { RunningStatsScalars } from './running-stats.js';
export type {
  BatchNormOptions,
  GroupNormOptions,
  InstanceNormOptions,
  LayerNormOptions,
  LocalResponseNormOptions,
  RMSNormOptions,
} from './options.js';
export type { GradientMask, NormForwardResult, NormGradients } from './kernels/support.js';
export type { RMSNormForwardResult } from './kernels/layer-norm.js';
export type { LocalResponseNormForwardResult, LocalResponseNormParameters } from './kernels/local-response-norm.js';
