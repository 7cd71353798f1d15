import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { resolveAdamCommon } from './adam.js';
import { adamaxUpdateKernel } from './kernels/update-kernels.js';
import { type OptimizerSpec, Optimizer } from './optimizer.js';
import { checkBoolean } from './options.js';
import type { OptimizerOptions, ParamGroupOf, ParamsInput } from './param-group.js';
import { type SavedStateReader, fullLikeParameter } from './state.js';

/** Options of `Adamax` (PyTorch's keyword arguments, camelCase). */
export interface AdamaxOptions extends OptimizerOptions {
  /**
   * The learning rate.
   * @defaultValue `2e-3`
   */
  lr?: number;
  /**
   * The decay rates of the running average of the gradient and of the infinity norm.
   * @defaultValue `[0.9, 0.999]`
   */
  betas?: [number, number];
  /**
   * Added to the infinity norm for numerical stability.
   * @defaultValue `1e-8`
   */
  eps?: number;
  /**
   * L2 penalty: `weightDecay · p` is added to the gradient.
   * @defaultValue `0`
   */
  weightDecay?: number;
  /**
   * Maximize the objective instead of minimizing it.
   * @defaultValue `false`
   */
  maximize?: boolean;
}

/** The state of one parameter of `Adamax`, with PyTorch's entries. */
export interface AdamaxState {
  /** The number of steps taken. */
  step: number;
  /** The running average of the gradient. */
  expAvg: Tensor;
  /** The exponentially weighted infinity norm of the gradient. */
  expInf: Tensor;
}

const ADAMAX_SPEC: OptimizerSpec<AdamaxOptions> = {
  name: 'Adamax',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  resolve: (owner, options) => ({ ...resolveAdamCommon(owner, options), maximize: checkBoolean(owner, 'maximize', options.maximize) }),
};


registerKernel('adamaxUpdate', adamaxUpdateKernel);

/**
 * Adamax, Adam with the infinity norm, like `torch.optim.Adamax`:
 *
 * ```
 * g = ∇f(p) (negated when maximize) + weightDecay · p
 * m = β1 · m + (1 − β1) · g          u = max(β2 · u, |g| + eps)
 * p = p − lr / (1 − β1^t) · m / u
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new Adamax(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  /**
   * @param params - the tensors to optimize, or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, eps or weightDecay, or a beta outside [0, 1).
   */
  constructor(params: ParamsInput<AdamaxOptions>, options: AdamaxOptions = {}) {
    super(ADAMAX_SPEC, params, options);
  }

  protected override updateParameter(group: ParamGroupOf<AdamaxOptions>, parameter: Tensor, grad: Tensor): void {
    let state = this.state.get(parameter);
    if (state === undefined) {
      state = { step: 0, expAvg: fullLikeParameter(parameter), expInf: fullLikeParameter(parameter) };
      this.state.set(parameter, state);
    }
    state.step += 1;
    const beta1 = group.betas[0];
    getKernel('adamaxUpdate')(parameter, grad, { expAvg: state.expAvg, expInf: state.expInf }, {
      beta1, beta2: group.betas[1], eps: group.eps, weightDecay: group.weightDecay, maximize: group.maximize,
      clr: group.lr / (1 - beta1 ** state.step),
    });
  }

  protected override restoreState(_parameter: Tensor, saved: SavedStateReader): AdamaxState {
    saved.checkKeys(['step', 'expAvg', 'expInf']);
    return { step: saved.number('step'), expAvg: saved.tensor('expAvg'), expInf: saved.tensor('expInf') };
  }
}
