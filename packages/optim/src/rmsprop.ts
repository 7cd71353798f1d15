import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { rmspropUpdateKernel } from './kernels/update-kernels.js';
import { type OptimizerSpec, Optimizer } from './optimizer.js';
import { checkBoolean, checkNonNegative } from './options.js';
import type { OptimizerOptions, ParamGroupOf, ParamsInput } from './param-group.js';
import { type SavedStateReader, fullLikeParameter } from './state.js';

/** Options of `RMSprop` (PyTorch's keyword arguments, camelCase). */
export interface RMSpropOptions extends OptimizerOptions {
  /**
   * The learning rate.
   * @defaultValue `1e-2`
   */
  lr?: number;
  /**
   * The smoothing constant of the running average of the squared gradient.
   * @defaultValue `0.99`
   */
  alpha?: number;
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
   * The momentum factor; 0 turns momentum off.
   * @defaultValue `0`
   */
  momentum?: number;
  /**
   * Normalize by the estimated variance of the gradient (the running average of the gradient subtracted).
   * @defaultValue `false`
   */
  centered?: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @defaultValue `false`
   */
  maximize?: boolean;
}

/** The state of one parameter of `RMSprop`, with PyTorch's entries. */
export interface RMSpropState {
  /** The number of steps taken. */
  step: number;
  /** The running average of the squared gradient. */
  squareAvg: Tensor;
  /** The momentum buffer (momentum > 0 only). */
  momentumBuffer?: Tensor;
  /** The running average of the gradient (centered only). */
  gradAvg?: Tensor;
}

const RMSPROP_SPEC: OptimizerSpec<RMSpropOptions> = {
  name: 'RMSprop',
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  resolve: (owner, options) => ({
    lr: checkNonNegative(owner, 'learning rate', options.lr),
    alpha: checkNonNegative(owner, 'alpha value', options.alpha),
    eps: checkNonNegative(owner, 'epsilon value', options.eps),
    weightDecay: checkNonNegative(owner, 'weightDecay value', options.weightDecay),
    momentum: checkNonNegative(owner, 'momentum value', options.momentum),
    centered: checkBoolean(owner, 'centered', options.centered),
    maximize: checkBoolean(owner, 'maximize', options.maximize),
  }),
};


registerKernel('rmspropUpdate', rmspropUpdateKernel);

/**
 * RMSprop, like `torch.optim.RMSprop`:
 *
 * ```
 * g = ∇f(p) (negated when maximize) + weightDecay · p
 * s = α · s + (1 − α) · g²
 * centered: a = α · a + (1 − α) · g,  d = √(s − a²) + eps;  else d = √s + eps
 * momentum > 0: b = momentum · b + g / d,  p = p − lr · b;  else p = p − lr · g / d
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new RMSprop(model.parameters(), { lr: 1e-2, momentum: 0.9, centered: true });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  /**
   * @param params - the tensors to optimize, or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, alpha, eps, weightDecay or momentum.
   */
  constructor(params: ParamsInput<RMSpropOptions>, options: RMSpropOptions = {}) {
    super(RMSPROP_SPEC, params, options);
  }

  protected override updateParameter(group: ParamGroupOf<RMSpropOptions>, parameter: Tensor, grad: Tensor): void {
    let state = this.state.get(parameter);
    if (state === undefined) {
      state = { step: 0, squareAvg: fullLikeParameter(parameter) };
      this.state.set(parameter, state);
    }
    // Created when first needed, also when a scheduler turns momentum on later.
    if (group.momentum > 0) state.momentumBuffer ??= fullLikeParameter(parameter);
    if (group.centered) state.gradAvg ??= fullLikeParameter(parameter);
    state.step += 1;
    const momentumBuffer = group.momentum > 0 && state.momentumBuffer !== undefined ? state.momentumBuffer : null;
    const gradAvg = group.centered && state.gradAvg !== undefined ? state.gradAvg : null;
    getKernel('rmspropUpdate')(parameter, grad, { squareAvg: state.squareAvg, gradAvg, momentumBuffer }, {
      lr: group.lr, alpha: group.alpha, eps: group.eps, weightDecay: group.weightDecay, momentum: group.momentum, maximize: group.maximize,
    });
  }

  protected override restoreState(_parameter: Tensor, saved: SavedStateReader): RMSpropState {
    saved.checkKeys(['step', 'squareAvg', 'momentumBuffer', 'gradAvg']);
    const state: RMSpropState = { step: saved.number('step'), squareAvg: saved.tensor('squareAvg') };
    const momentumBuffer = saved.optionalTensor('momentumBuffer');
    if (momentumBuffer !== null) state.momentumBuffer = momentumBuffer;
    const gradAvg = saved.optionalTensor('gradAvg');
    if (gradAvg !== null) state.gradAvg = gradAvg;
    return state;
  }
}
