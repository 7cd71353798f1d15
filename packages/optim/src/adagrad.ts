import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { adagradUpdateKernel } from './kernels/update-kernels.js';
import { type OptimizerSpec, Optimizer } from './optimizer.js';
import { checkBoolean, checkNonNegative } from './options.js';
import type { OptimizerOptions, ParamGroupOf, ParamsInput } from './param-group.js';
import { type SavedStateReader, fullLikeParameter } from './state.js';

/** Options of `Adagrad` (PyTorch's keyword arguments, camelCase). */
export interface AdagradOptions extends OptimizerOptions {
  /**
   * The learning rate.
   * @defaultValue `1e-2`
   */
  lr?: number;
  /**
   * Learning-rate decay: step t uses `lr / (1 + (t − 1) · lrDecay)`.
   * @defaultValue `0`
   */
  lrDecay?: number;
  /**
   * L2 penalty: `weightDecay · p` is added to the gradient.
   * @defaultValue `0`
   */
  weightDecay?: number;
  /**
   * The starting value of the sum of squared gradients.
   * @defaultValue `0`
   */
  initialAccumulatorValue?: number;
  /**
   * Added to the denominator for numerical stability.
   * @defaultValue `1e-10`
   */
  eps?: number;
  /**
   * Maximize the objective instead of minimizing it.
   * @defaultValue `false`
   */
  maximize?: boolean;
}

/** The state of one parameter of `Adagrad`, with PyTorch's entries. */
export interface AdagradState {
  /** The number of steps taken. */
  step: number;
  /** The sum of squared gradients. */
  sum: Tensor;
}

const ADAGRAD_SPEC: OptimizerSpec<AdagradOptions> = {
  name: 'Adagrad',
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  resolve: (owner, options) => ({
    lr: checkNonNegative(owner, 'learning rate', options.lr),
    lrDecay: checkNonNegative(owner, 'lrDecay value', options.lrDecay),
    weightDecay: checkNonNegative(owner, 'weightDecay value', options.weightDecay),
    initialAccumulatorValue: checkNonNegative(owner, 'initialAccumulatorValue value', options.initialAccumulatorValue),
    eps: checkNonNegative(owner, 'epsilon value', options.eps),
    maximize: checkBoolean(owner, 'maximize', options.maximize),
  }),
};


registerKernel('adagradUpdate', adagradUpdateKernel);

/**
 * Adagrad, like `torch.optim.Adagrad`:
 *
 * ```
 * g = ∇f(p) (negated when maximize) + weightDecay · p
 * s = s + g²                        (s starts at initialAccumulatorValue)
 * p = p − lr / (1 + (t − 1) · lrDecay) · g / (√s + eps)
 * ```
 *
 * As in PyTorch, each parameter's state exists from the start (`stateDict()`
 * lists it before the first step).
 *
 * @example
 * ```ts
 * const optimizer = new Adagrad(model.parameters(), { lr: 1e-2, lrDecay: 1e-4 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  /**
   * @param params - the tensors to optimize, or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, lrDecay, weightDecay, initialAccumulatorValue or eps.
   */
  constructor(params: ParamsInput<AdagradOptions>, options: AdagradOptions = {}) {
    super(ADAGRAD_SPEC, params, options);
  }

  protected override initializeGroup(group: ParamGroupOf<AdagradOptions>): void {
    for (const parameter of group.params) this.initialState(group, parameter);
  }

  protected override updateParameter(group: ParamGroupOf<AdagradOptions>, parameter: Tensor, grad: Tensor): void {
    const state = this.state.get(parameter) ?? this.initialState(group, parameter);
    state.step += 1;
    getKernel('adagradUpdate')(parameter, grad, { sum: state.sum }, {
      clr: group.lr / (1 + (state.step - 1) * group.lrDecay), eps: group.eps, weightDecay: group.weightDecay, maximize: group.maximize,
    });
  }

  protected override restoreState(_parameter: Tensor, saved: SavedStateReader): AdagradState {
    saved.checkKeys(['step', 'sum']);
    return { step: saved.number('step'), sum: saved.tensor('sum') };
  }

  private initialState(group: ParamGroupOf<AdagradOptions>, parameter: Tensor): AdagradState {
    const state = { step: 0, sum: fullLikeParameter(parameter, group.initialAccumulatorValue) };
    this.state.set(parameter, state);
    return state;
  }
}
