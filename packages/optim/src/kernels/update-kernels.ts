/**
 * The optimizers' update kernels: one fused kernel per parameter and step
 * (`adamUpdate`, `sgdUpdate`, …), registered by name like every other
 * kernel, so a backend whose memory is not a host typed array runs the
 * optimizers by registering these names. The CPU kernels below run the
 * loops of sgd.ts, adam.ts and adaptive.ts in place over the parameter's
 * storage (a non-contiguous parameter is updated through a row-major copy
 * written back), and bump the version of every tensor they write.
 *
 * Every kernel takes the parameter, its gradient (same shape and float
 * dtype, any strides), the optimizer's state tensors for that parameter
 * (contiguous, shaped like the parameter, written in place) and the step's
 * scalars, already derived from the group's options and the step count.
 * Each optimizer's file registers its kernel.
 */
import { DTypeError, Tensor, getKernel } from '@strata/tensor';
import type { FloatArray } from '../state.js';
import { adamUpdate, adamaxUpdate, nadamUpdate, radamUpdate } from './adam.js';
import { adadeltaUpdate, adagradUpdate, rmspropUpdate } from './adaptive.js';
import { sgdUpdate } from './sgd.js';

/** The step's scalars of `sgdUpdate` (see kernels/sgd.ts). */
export interface SgdUpdateScalars {
  /** The learning rate. */
  lr: number;
  /** The momentum factor (0: none). */
  momentum: number;
  /** The dampening of the momentum. */
  dampening: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** Ascend instead of descend (negate the gradient). */
  maximize: boolean;
  /** The momentum buffer is new: set it to the direction instead of averaging. */
  initialize: boolean;
}

/** The step's scalars of `adamUpdate` (Adam and AdamW; see kernels/adam.ts). */
export interface AdamUpdateScalars {
  /** The decay of the first moment. */
  beta1: number;
  /** The decay of the second moment (Adamax: of the infinity norm). */
  beta2: number;
  /** Added for numerical stability. */
  eps: number;
  /** L2 weight decay added to the gradient (Adam), 0 for AdamW. */
  weightDecay: number;
  /** The decoupled factor `p *= decay` (AdamW: 1 − lr·weightDecay), 1 for Adam. */
  decay: number;
  /** Ascend instead of descend (negate the gradient). */
  maximize: boolean;
  /** lr / (1 − β1^t). */
  stepSize: number;
  /** √(1 − β2^t). */
  biasCorrection2Sqrt: number;
}

/** The step's scalars of `adamaxUpdate`. */
export interface AdamaxUpdateScalars {
  /** The decay of the first moment. */
  beta1: number;
  /** The decay of the second moment (Adamax: of the infinity norm). */
  beta2: number;
  /** Added for numerical stability. */
  eps: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** Ascend instead of descend (negate the gradient). */
  maximize: boolean;
  /** lr / (1 − β1^t). */
  clr: number;
}

/** The step's scalars of `nadamUpdate`. */
export interface NadamUpdateScalars {
  /** The decay of the first moment. */
  beta1: number;
  /** The decay of the second moment (Adamax: of the infinity norm). */
  beta2: number;
  /** Added for numerical stability. */
  eps: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** The decoupled factor `p *= decay` (1 − lr·weightDecay with decoupled weight decay), else 1. */
  decay: number;
  /** Ascend instead of descend (negate the gradient). */
  maximize: boolean;
  /** 1 − β2^t. */
  biasCorrection2: number;
  /** The coefficient of g / d. */
  gradCoefficient: number;
  /** The coefficient of m / d. */
  averageCoefficient: number;
}

/** The step's scalars of `radamUpdate`. */
export interface RadamUpdateScalars {
  /** The decay of the first moment. */
  beta1: number;
  /** The decay of the second moment (Adamax: of the infinity norm). */
  beta2: number;
  /** Added for numerical stability. */
  eps: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** The decoupled factor `p *= decay` (1 − lr·weightDecay with decoupled weight decay), else 1. */
  decay: number;
  /** Ascend instead of descend (negate the gradient). */
  maximize: boolean;
  /** The learning rate. */
  lr: number;
  /** 1 − β1^t. */
  biasCorrection1: number;
  /** √(1 − β2^t). */
  biasCorrection2Sqrt: number;
  /** The variance rectification term, 0 while the variance is intractable. */
  rect: number;
}

/** The step's scalars of `rmspropUpdate`. */
export interface RmspropUpdateScalars {
  /** The learning rate. */
  lr: number;
  /** The smoothing constant of the squared average. */
  alpha: number;
  /** Added for numerical stability. */
  eps: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** The momentum factor (0: none). */
  momentum: number;
  /** Ascend instead of descend (negate the gradient). */
  maximize: boolean;
}

/** The step's scalars of `adagradUpdate`. */
export interface AdagradUpdateScalars {
  /** lr / (1 + (t − 1)·lrDecay). */
  clr: number;
  /** Added for numerical stability. */
  eps: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** Ascend instead of descend (negate the gradient). */
  maximize: boolean;
}

/** The step's scalars of `adadeltaUpdate`. */
export interface AdadeltaUpdateScalars {
  /** The learning rate. */
  lr: number;
  /** The decay of the running averages. */
  rho: number;
  /** Added for numerical stability. */
  eps: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** Ascend instead of descend (negate the gradient). */
  maximize: boolean;
}

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** One SGD step of `param` in place; `momentumBuffer` is `null` when momentum is 0. */
    sgdUpdate: (param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, scalars: SgdUpdateScalars) => void;
    /** One Adam/AdamW step of `param` in place; `maxExpAvgSq` is `null` without amsgrad. */
    adamUpdate: (
      param: Tensor, grad: Tensor, state: { expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq: Tensor | null }, scalars: AdamUpdateScalars,
    ) => void;
    /** One Adamax step of `param` in place. */
    adamaxUpdate: (param: Tensor, grad: Tensor, state: { expAvg: Tensor; expInf: Tensor }, scalars: AdamaxUpdateScalars) => void;
    /** One NAdam step of `param` in place. */
    nadamUpdate: (param: Tensor, grad: Tensor, state: { expAvg: Tensor; expAvgSq: Tensor }, scalars: NadamUpdateScalars) => void;
    /** One RAdam step of `param` in place. */
    radamUpdate: (param: Tensor, grad: Tensor, state: { expAvg: Tensor; expAvgSq: Tensor }, scalars: RadamUpdateScalars) => void;
    /** One RMSprop step of `param` in place; `gradAvg` is `null` unless centered, `momentumBuffer` unless momentum > 0. */
    rmspropUpdate: (
      param: Tensor, grad: Tensor, state: { squareAvg: Tensor; gradAvg: Tensor | null; momentumBuffer: Tensor | null },
      scalars: RmspropUpdateScalars,
    ) => void;
    /** One Adagrad step of `param` in place. */
    adagradUpdate: (param: Tensor, grad: Tensor, state: { sum: Tensor }, scalars: AdagradUpdateScalars) => void;
    /** One Adadelta step of `param` in place. */
    adadeltaUpdate: (param: Tensor, grad: Tensor, state: { squareAvg: Tensor; accDelta: Tensor }, scalars: AdadeltaUpdateScalars) => void;
  }
}

function arrayOf(tensor: Tensor): FloatArray {
  const data = tensor.storage.data;
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  throw new DTypeError(`optimizer: expected a floating point tensor, got ${tensor.dtype}`);
}

/** A contiguous state tensor's elements, from index 0 (a view when it sits at an offset). */
function stateArray(tensor: Tensor | null): FloatArray | null {
  if (tensor === null) return null;
  const data = arrayOf(tensor);
  return tensor.offset === 0 ? data : data.subarray(tensor.offset, tensor.offset + tensor.numel());
}

/** Where the loops read and write: the storage of a contiguous tensor, else a row-major copy. */
interface Flat {
  data: FloatArray;
  start: number;
}

function flatten(tensor: Tensor): Flat {
  if (tensor.isContiguous()) return { data: arrayOf(tensor), start: tensor.offset };
  const copy = tensor.toTypedArray();
  if (!(copy instanceof Float32Array || copy instanceof Float64Array)) throw new DTypeError(`optimizer: expected a floating point tensor, got ${tensor.dtype}`);
  return { data: copy, start: 0 };
}

/** Writes an updated row-major copy back into a non-contiguous parameter; bumps its version either way. */
function finish(param: Tensor, flat: Flat, ...state: (Tensor | null)[]): void {
  if (!param.isContiguous()) getKernel('copyInto')(param, Tensor.fromData(flat.data, param.shape));
  else param.storage.version++;
  for (const tensor of state) if (tensor !== null) tensor.storage.version++;
}

/** The CPU `sgdUpdate` kernel. */
export function sgdUpdateKernel(param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, s: SgdUpdateScalars): void {
  const p = flatten(param);
  const g = flatten(grad);
  sgdUpdate(p.data, p.start, g.data, g.start, param.numel(), stateArray(momentumBuffer), s.initialize, s.lr, s.momentum, s.dampening, s.weightDecay, s.nesterov, s.maximize);
  finish(param, p, momentumBuffer);
}

/** The CPU `adamUpdate` kernel. */
export function adamUpdateKernel(
  param: Tensor, grad: Tensor, state: { expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq: Tensor | null }, s: AdamUpdateScalars,
): void {
  const p = flatten(param);
  const g = flatten(grad);
  adamUpdate(
    p.data, p.start, g.data, g.start, param.numel(), stateArray(state.expAvg)!, stateArray(state.expAvgSq)!, stateArray(state.maxExpAvgSq),
    s.beta1, s.beta2, s.eps, s.weightDecay, s.decay, s.maximize, s.stepSize, s.biasCorrection2Sqrt,
  );
  finish(param, p, state.expAvg, state.expAvgSq, state.maxExpAvgSq);
}

/** The CPU `adamaxUpdate` kernel. */
export function adamaxUpdateKernel(param: Tensor, grad: Tensor, state: { expAvg: Tensor; expInf: Tensor }, s: AdamaxUpdateScalars): void {
  const p = flatten(param);
  const g = flatten(grad);
  adamaxUpdate(p.data, p.start, g.data, g.start, param.numel(), stateArray(state.expAvg)!, stateArray(state.expInf)!, s.beta1, s.beta2, s.eps, s.weightDecay, s.maximize, s.clr);
  finish(param, p, state.expAvg, state.expInf);
}

/** The CPU `nadamUpdate` kernel. */
export function nadamUpdateKernel(param: Tensor, grad: Tensor, state: { expAvg: Tensor; expAvgSq: Tensor }, s: NadamUpdateScalars): void {
  const p = flatten(param);
  const g = flatten(grad);
  nadamUpdate(
    p.data, p.start, g.data, g.start, param.numel(), stateArray(state.expAvg)!, stateArray(state.expAvgSq)!,
    s.beta1, s.beta2, s.eps, s.weightDecay, s.decay, s.maximize, s.biasCorrection2, s.gradCoefficient, s.averageCoefficient,
  );
  finish(param, p, state.expAvg, state.expAvgSq);
}

/** The CPU `radamUpdate` kernel. */
export function radamUpdateKernel(param: Tensor, grad: Tensor, state: { expAvg: Tensor; expAvgSq: Tensor }, s: RadamUpdateScalars): void {
  const p = flatten(param);
  const g = flatten(grad);
  radamUpdate(
    p.data, p.start, g.data, g.start, param.numel(), stateArray(state.expAvg)!, stateArray(state.expAvgSq)!,
    s.beta1, s.beta2, s.eps, s.weightDecay, s.decay, s.maximize, s.lr, s.biasCorrection1, s.biasCorrection2Sqrt, s.rect,
  );
  finish(param, p, state.expAvg, state.expAvgSq);
}

/** The CPU `rmspropUpdate` kernel. */
export function rmspropUpdateKernel(
  param: Tensor, grad: Tensor, state: { squareAvg: Tensor; gradAvg: Tensor | null; momentumBuffer: Tensor | null }, s: RmspropUpdateScalars,
): void {
  const p = flatten(param);
  const g = flatten(grad);
  rmspropUpdate(
    p.data, p.start, g.data, g.start, param.numel(), stateArray(state.squareAvg)!, stateArray(state.gradAvg), stateArray(state.momentumBuffer),
    s.lr, s.alpha, s.eps, s.weightDecay, s.momentum, s.maximize,
  );
  finish(param, p, state.squareAvg, state.gradAvg, state.momentumBuffer);
}

/** The CPU `adagradUpdate` kernel. */
export function adagradUpdateKernel(param: Tensor, grad: Tensor, state: { sum: Tensor }, s: AdagradUpdateScalars): void {
  const p = flatten(param);
  const g = flatten(grad);
  adagradUpdate(p.data, p.start, g.data, g.start, param.numel(), stateArray(state.sum)!, s.clr, s.eps, s.weightDecay, s.maximize);
  finish(param, p, state.sum);
}

/** The CPU `adadeltaUpdate` kernel. */
export function adadeltaUpdateKernel(param: Tensor, grad: Tensor, state: { squareAvg: Tensor; accDelta: Tensor }, s: AdadeltaUpdateScalars): void {
  const p = flatten(param);
  const g = flatten(grad);
  adadeltaUpdate(p.data, p.start, g.data, g.start, param.numel(), stateArray(state.squareAvg)!, stateArray(state.accDelta)!, s.lr, s.rho, s.eps, s.weightDecay, s.maximize);
  finish(param, p, state.squareAvg, state.accDelta);
}
