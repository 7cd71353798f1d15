import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { resolveAdamCommon } from './adam.js';
import { nadamUpdateKernel } from './kernels/update-kernels.js';
import { type OptimizerSpec, Optimizer } from './optimizer.js';
import { checkBoolean, checkNonNegative } from './options.js';
import type { OptimizerOptions, ParamGroupOf, ParamsInput } from './param-group.js';
import { type SavedStateReader, fullLikeParameter } from './state.js';

/** Options of `NAdam` (PyTorch's keyword arguments, camelCase). */
export interface NAdamOptions extends OptimizerOptions {
  /**
   * The learning rate.
   * @defaultValue `2e-3`
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
   * The momentum decay ψ of the momentum schedule `μ_t = β1 · (1 − 0.5 · 0.96^(t·ψ))`.
   * @defaultValue `4e-3`
   */
  momentumDecay?: number;
  /**
   * Decoupled weight decay, as AdamW (PyTorch 2's NAdamW): multiply the parameter by `1 − lr · weightDecay`.
   * @defaultValue `false`
   */
  decoupledWeightDecay?: boolean;
  /**
   * Maximize the objective instead of minimizing it (PyTorch 2).
   * @defaultValue `false`
   */
  maximize?: boolean;
}

/** The state of one parameter of `NAdam`, with PyTorch's entries. */
export interface NAdamState {
  /** The number of steps taken. */
  step: number;
  /** The product of the momentum schedule so far (a float32 value, as PyTorch keeps it). */
  muProduct: number;
  /** The running average of the gradient. */
  expAvg: Tensor;
  /** The running average of the squared gradient. */
  expAvgSq: Tensor;
}

const NADAM_SPEC: OptimizerSpec<NAdamOptions> = {
  name: 'NAdam',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false },
  resolve: (owner, options) => ({
    ...resolveAdamCommon(owner, options),
    momentumDecay: checkNonNegative(owner, 'momentumDecay value', options.momentumDecay),
    decoupledWeightDecay: checkBoolean(owner, 'decoupledWeightDecay', options.decoupledWeightDecay),
    maximize: checkBoolean(owner, 'maximize', options.maximize),
  }),
};


registerKernel('nadamUpdate', nadamUpdateKernel);

/**
 * NAdam, Adam with Nesterov momentum, like `torch.optim.NAdam`:
 *
 * ```
 * μ_t = β1 · (1 − 0.5 · 0.96^(t · momentumDecay))     Π_t = Π_{t−1} · μ_t
 * m = β1 · m + (1 − β1) · g          v = β2 · v + (1 − β2) · g²
 * d = √(v / (1 − β2^t)) + eps
 * p = p − lr · (1 − μ_t) / (1 − Π_t) · g / d − lr · μ_{t+1} / (1 − Π_t · μ_{t+1}) · m / d
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new NAdam(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class NAdam extends Optimizer<NAdamOptions, NAdamState> {
  /**
   * @param params - the tensors to optimize, or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, eps, weightDecay or momentumDecay, or a beta outside [0, 1).
   */
  constructor(params: ParamsInput<NAdamOptions>, options: NAdamOptions = {}) {
    super(NADAM_SPEC, params, options);
  }

  protected override updateParameter(group: ParamGroupOf<NAdamOptions>, parameter: Tensor, grad: Tensor): void {
    let state = this.state.get(parameter);
    if (state === undefined) {
      state = { step: 0, muProduct: 1, expAvg: fullLikeParameter(parameter), expAvgSq: fullLikeParameter(parameter) };
      this.state.set(parameter, state);
    }
    const step = (state.step += 1);
    const beta1 = group.betas[0];
    const beta2 = group.betas[1];
    const lr = group.lr;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * group.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * group.momentumDecay));
    // PyTorch keeps mu_product in a float32 tensor (each product rounded to float32) and reads it back as a double.
    state.muProduct = Math.fround(state.muProduct * Math.fround(mu));
    const muProductNext = state.muProduct * muNext;
    const decoupled = group.decoupledWeightDecay;
    getKernel('nadamUpdate')(parameter, grad, { expAvg: state.expAvg, expAvgSq: state.expAvgSq }, {
      beta1, beta2, eps: group.eps,
      weightDecay: decoupled ? 0 : group.weightDecay,
      decay: decoupled ? 1 - lr * group.weightDecay : 1,
      maximize: group.maximize,
      biasCorrection2: 1 - beta2 ** step,
      gradCoefficient: (-lr * (1 - mu)) / (1 - state.muProduct),
      averageCoefficient: (-lr * muNext) / (1 - muProductNext),
    });
  }

  protected override restoreState(_parameter: Tensor, saved: SavedStateReader): NAdamState {
    saved.checkKeys(['step', 'muProduct', 'expAvg', 'expAvgSq']);
    return {
      step: saved.number('step'),
      muProduct: saved.number('muProduct'),
      expAvg: saved.tensor('expAvg'),
      expAvgSq: saved.tensor('expAvgSq'),
    };
  }
}
