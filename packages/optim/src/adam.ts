import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { adamUpdateKernel } from './kernels/update-kernels.js';
import { type OptimizerSpec, Optimizer } from './optimizer.js';
import { checkBetas, checkBoolean, checkNonNegative } from './options.js';
import type { OptimizerOptions, ParamGroupOf, ParamsInput } from './param-group.js';
import { type SavedStateReader, fullLikeParameter } from './state.js';

/** Options of `Adam` (PyTorch's keyword arguments, camelCase). */
export interface AdamOptions extends OptimizerOptions {
  /**
   * The learning rate.
   * @defaultValue `1e-3`
   */
  lr?: number;
  /**
   * The decay rates of the running averages of the gradient and of its square.
   * @defaultValue `[0.9, 0.999]`
   */
  betas?: [number, number];
  /**
   * Added to the denominator for numerical stability.
   * @defaultValue `1e-8`
   */
  eps?: number;
  /**
   * L2 penalty: `weightDecay · p` is added to the gradient.
   * @defaultValue `0`
   */
  weightDecay?: number;
  /**
   * Use the AMSGrad variant (the running maximum of the second moment).
   * @defaultValue `false`
   */
  amsgrad?: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @defaultValue `false`
   */
  maximize?: boolean;
}

/** Options of `AdamW`: Adam's, with decoupled weight decay. */
export interface AdamWOptions extends AdamOptions {
  /**
   * Decoupled weight decay: each step multiplies the parameter by `1 − lr · weightDecay`.
   * @defaultValue `1e-2`
   */
  weightDecay?: number;
}

/** The state of one parameter of `Adam` and `AdamW`, with PyTorch's entries. */
export interface AdamState {
  /** The number of steps taken. */
  step: number;
  /** The running average of the gradient. */
  expAvg: Tensor;
  /** The running average of the squared gradient. */
  expAvgSq: Tensor;
  /** The running maximum of `expAvgSq` (amsgrad only). */
  maxExpAvgSq?: Tensor;
}

/** The options the Adam family shares, validated with PyTorch's checks. */
export function resolveAdamCommon(owner: string, options: Readonly<Record<string, unknown>>) {
  return {
    lr: checkNonNegative(owner, 'learning rate', options.lr),
    betas: checkBetas(owner, options.betas),
    eps: checkNonNegative(owner, 'epsilon value', options.eps),
    weightDecay: checkNonNegative(owner, 'weightDecay value', options.weightDecay),
  };
}

function resolveAdamOptions(owner: string, options: Readonly<Record<string, unknown>>): Required<AdamOptions> {
  return {
    ...resolveAdamCommon(owner, options),
    amsgrad: checkBoolean(owner, 'amsgrad', options.amsgrad),
    maximize: checkBoolean(owner, 'maximize', options.maximize),
  };
}

function adamSpec(name: string, weightDecay: number): OptimizerSpec<AdamOptions> {
  return {
    name,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false },
    resolve: resolveAdamOptions,
  };
}

registerKernel('adamUpdate', adamUpdateKernel);

/** What Adam and AdamW share: everything but where weight decay goes. */
abstract class AdamBase extends Optimizer<AdamOptions, AdamState> {
  /** Whether weight decay is decoupled (AdamW) rather than added to the gradient (Adam). */
  protected abstract readonly decoupled: boolean;

  protected override updateParameter(group: ParamGroupOf<AdamOptions>, parameter: Tensor, grad: Tensor): void {
    let state = this.state.get(parameter);
    if (state === undefined) {
      state = { step: 0, expAvg: fullLikeParameter(parameter), expAvgSq: fullLikeParameter(parameter) };
      this.state.set(parameter, state);
    }
    if (group.amsgrad) state.maxExpAvgSq ??= fullLikeParameter(parameter);
    state.step += 1;
    const beta1 = group.betas[0];
    const beta2 = group.betas[1];
    getKernel('adamUpdate')(
      parameter, grad,
      { expAvg: state.expAvg, expAvgSq: state.expAvgSq, maxExpAvgSq: group.amsgrad ? state.maxExpAvgSq! : null },
      {
        beta1, beta2, eps: group.eps,
        weightDecay: this.decoupled ? 0 : group.weightDecay,
        decay: this.decoupled ? 1 - group.lr * group.weightDecay : 1,
        maximize: group.maximize,
        stepSize: group.lr / (1 - beta1 ** state.step),
        biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** state.step),
      },
    );
  }

  protected override restoreState(_parameter: Tensor, saved: SavedStateReader): AdamState {
    saved.checkKeys(['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq']);
    const state: AdamState = { step: saved.number('step'), expAvg: saved.tensor('expAvg'), expAvgSq: saved.tensor('expAvgSq') };
    const maxExpAvgSq = saved.optionalTensor('maxExpAvgSq');
    if (maxExpAvgSq !== null) state.maxExpAvgSq = maxExpAvgSq;
    return state;
  }
}

/**
 * Adam, like `torch.optim.Adam`:
 *
 * ```
 * g = ∇f(p) (negated when maximize) + weightDecay · p
 * m = β1 · m + (1 − β1) · g          v = β2 · v + (1 − β2) · g²
 * v̂ = amsgrad ? (vMax = max(vMax, v)) : v
 * p = p − lr / (1 − β1^t) · m / (√v̂ / √(1 − β2^t) + eps)
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class Adam extends AdamBase {
  protected override readonly decoupled = false;

  /**
   * @param params - the tensors to optimize, or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, eps or weightDecay, or a beta outside [0, 1).
   */
  constructor(params: ParamsInput<AdamOptions>, options: AdamOptions = {}) {
    super(adamSpec('Adam', 0), params, options);
  }
}

/**
 * AdamW, like `torch.optim.AdamW`: Adam with decoupled weight decay (each
 * step first multiplies the parameter by `1 − lr · weightDecay`; the
 * gradient is left alone).
 *
 * @example
 * ```ts
 * const optimizer = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 * ```
 */
export class AdamW extends AdamBase {
  protected override readonly decoupled = true;

  /**
   * @param params - the tensors to optimize, or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, eps or weightDecay, or a beta outside [0, 1).
   */
  constructor(params: ParamsInput<AdamWOptions>, options: AdamWOptions = {}) {
    super(adamSpec('AdamW', 1e-2), params, options);
  }
}
