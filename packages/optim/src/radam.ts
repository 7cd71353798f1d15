import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { resolveAdamCommon } from './adam.js';
import { radamUpdateKernel } from './kernels/update-kernels.js';
import { type OptimizerSpec, Optimizer } from './optimizer.js';
import { checkBoolean } from './options.js';
import type { OptimizerOptions, ParamGroupOf, ParamsInput } from './param-group.js';
import { type SavedStateReader, fullLikeParameter } from './state.js';

/** Options of `RAdam` (PyTorch's keyword arguments, camelCase). */
export interface RAdamOptions extends OptimizerOptions {
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
   * Weight decay: L2 (added to the gradient), or decoupled with `decoupledWeightDecay`.
   * @defaultValue `0`
   */
  weightDecay?: number;
  /**
   * Decoupled weight decay, as AdamW (PyTorch 2's RAdamW): multiply the parameter by `1 − lr · weightDecay`.
   * @defaultValue `false`
   */
  decoupledWeightDecay?: boolean;
  /**
   * Maximize the objective instead of minimizing it (PyTorch 2).
   * @defaultValue `false`
   */
  maximize?: boolean;
}

/** The state of one parameter of `RAdam`, with PyTorch's entries. */
export interface RAdamState {
  /** The number of steps taken. */
  step: number;
  /** The running average of the gradient. */
  expAvg: Tensor;
  /** The running average of the squared gradient. */
  expAvgSq: Tensor;
}

const RADAM_SPEC: OptimizerSpec<RAdamOptions> = {
  name: 'RAdam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false },
  resolve: (owner, options) => ({
    ...resolveAdamCommon(owner, options),
    decoupledWeightDecay: checkBoolean(owner, 'decoupledWeightDecay', options.decoupledWeightDecay),
    maximize: checkBoolean(owner, 'maximize', options.maximize),
  }),
};


registerKernel('radamUpdate', radamUpdateKernel);

/**
 * RAdam, Adam with a rectified adaptive learning rate, like `torch.optim.RAdam`:
 *
 * ```
 * m = β1 · m + (1 − β1) · g          v = β2 · v + (1 − β2) · g²
 * ρ∞ = 2 / (1 − β2) − 1               ρ_t = ρ∞ − 2t · β2^t / (1 − β2^t)
 * ρ_t > 5: r = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)),
 *          p = p − lr · m / (1 − β1^t) · r · √(1 − β2^t) / (√v + eps)
 * else:    p = p − lr · m / (1 − β1^t)
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new RAdam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class RAdam extends Optimizer<RAdamOptions, RAdamState> {
  /**
   * @param params - the tensors to optimize, or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, eps or weightDecay, or a beta outside [0, 1).
   */
  constructor(params: ParamsInput<RAdamOptions>, options: RAdamOptions = {}) {
    super(RADAM_SPEC, params, options);
  }

  protected override updateParameter(group: ParamGroupOf<RAdamOptions>, parameter: Tensor, grad: Tensor): void {
    let state = this.state.get(parameter);
    if (state === undefined) {
      state = { step: 0, expAvg: fullLikeParameter(parameter), expAvgSq: fullLikeParameter(parameter) };
      this.state.set(parameter, state);
    }
    const step = (state.step += 1);
    const beta1 = group.betas[0];
    const beta2 = group.betas[1];
    const biasCorrection2 = 1 - beta2 ** step;
    const rhoInfinity = 2 / (1 - beta2) - 1;
    const rho = rhoInfinity - (2 * step * beta2 ** step) / biasCorrection2;
    const rect = rho > 5 ? Math.sqrt(((rho - 4) * (rho - 2) * rhoInfinity) / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho)) : 0;
    const decoupled = group.decoupledWeightDecay;
    getKernel('radamUpdate')(parameter, grad, { expAvg: state.expAvg, expAvgSq: state.expAvgSq }, {
      beta1, beta2, eps: group.eps,
      weightDecay: decoupled ? 0 : group.weightDecay,
      decay: decoupled ? 1 - group.lr * group.weightDecay : 1,
      maximize: group.maximize,
      lr: group.lr,
      biasCorrection1: 1 - beta1 ** step,
      biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
      rect,
    });
  }

  protected override restoreState(_parameter: Tensor, saved: SavedStateReader): RAdamState {
    saved.checkKeys(['step', 'expAvg', 'expAvgSq']);
    return { step: saved.number('step'), expAvg: saved.tensor('expAvg'), expAvgSq: saved.tensor('expAvgSq') };
  }
}
