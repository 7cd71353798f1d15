import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { adadeltaUpdateKernel } from './kernels/update-kernels.js';
import { type OptimizerSpec, Optimizer } from './optimizer.js';
import { checkBoolean, checkInInterval, checkNonNegative } from './options.js';
import type { OptimizerOptions, ParamGroupOf, ParamsInput } from './param-group.js';
import { type SavedStateReader, fullLikeParameter } from './state.js';

/** Options of `Adadelta` (PyTorch's keyword arguments, camelCase). */
export interface AdadeltaOptions extends OptimizerOptions {
  /**
   * The coefficient that scales the computed step.
   * @defaultValue `1`
   */
  lr?: number;
  /**
   * The decay rate of the running averages of the squared gradient and of the squared step.
   * @defaultValue `0.9`
   */
  rho?: number;
  /**
   * Added inside the square roots for numerical stability.
   * @defaultValue `1e-6`
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

/** The state of one parameter of `Adadelta`, with PyTorch's entries. */
export interface AdadeltaState {
  /** The number of steps taken. */
  step: number;
  /** The running average of the squared gradient. */
  squareAvg: Tensor;
  /** The running average of the squared step. */
  accDelta: Tensor;
}

const ADADELTA_SPEC: OptimizerSpec<AdadeltaOptions> = {
  name: 'Adadelta',
  defaults: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  resolve: (owner, options) => ({
    lr: checkNonNegative(owner, 'learning rate', options.lr),
    rho: checkInInterval(owner, 'rho value', options.rho, 0, 1),
    eps: checkNonNegative(owner, 'epsilon value', options.eps),
    weightDecay: checkNonNegative(owner, 'weightDecay value', options.weightDecay),
    maximize: checkBoolean(owner, 'maximize', options.maximize),
  }),
};


registerKernel('adadeltaUpdate', adadeltaUpdateKernel);

/**
 * Adadelta, like `torch.optim.Adadelta`:
 *
 * ```
 * g = ∇f(p) (negated when maximize) + weightDecay · p
 * s = ρ · s + (1 − ρ) · g²
 * δ = √(u + eps) / √(s + eps) · g
 * u = ρ · u + (1 − ρ) · δ²
 * p = p − lr · δ
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new Adadelta(model.parameters());
 * ```
 */
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
  /**
   * @param params - the tensors to optimize, or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, eps or weightDecay, or rho outside [0, 1].
   */
  constructor(params: ParamsInput<AdadeltaOptions>, options: AdadeltaOptions = {}) {
    super(ADADELTA_SPEC, params, options);
  }

  protected override updateParameter(group: ParamGroupOf<AdadeltaOptions>, parameter: Tensor, grad: Tensor): void {
    let state = this.state.get(parameter);
    if (state === undefined) {
      state = { step: 0, squareAvg: fullLikeParameter(parameter), accDelta: fullLikeParameter(parameter) };
      this.state.set(parameter, state);
    }
    state.step += 1;
    getKernel('adadeltaUpdate')(parameter, grad, { squareAvg: state.squareAvg, accDelta: state.accDelta }, {
      lr: group.lr, rho: group.rho, eps: group.eps, weightDecay: group.weightDecay, maximize: group.maximize,
    });
  }

  protected override restoreState(_parameter: Tensor, saved: SavedStateReader): AdadeltaState {
    saved.checkKeys(['step', 'squareAvg', 'accDelta']);
    return { step: saved.number('step'), squareAvg: saved.tensor('squareAvg'), accDelta: saved.tensor('accDelta') };
  }
}
