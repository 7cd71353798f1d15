import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { sgdUpdateKernel } from './kernels/update-kernels.js';
import { WASM_BACKEND, sgdUpdateWasmKernel, sgdWasm } from './kernels/wasm/sgd-wasm.js';
import { type OptimizerSpec, Optimizer } from './optimizer.js';
import { checkBoolean, checkNonNegative, checkNumber } from './options.js';
import type { OptimizerOptions, ParamGroupOf, ParamsInput } from './param-group.js';
import { type SavedStateReader, fullLikeParameter } from './state.js';

/** Options of `SGD` (PyTorch's keyword arguments, camelCase). */
export interface SGDOptions extends OptimizerOptions {
  /**
   * The learning rate.
   * @defaultValue `1e-3`
   */
  lr?: number;
  /**
   * The momentum factor; 0 turns momentum off.
   * @defaultValue `0`
   */
  momentum?: number;
  /**
   * Dampening of the gradient's share in the momentum buffer.
   * @defaultValue `0`
   */
  dampening?: number;
  /**
   * L2 penalty: `weightDecay · p` is added to the gradient.
   * @defaultValue `0`
   */
  weightDecay?: number;
  /**
   * Nesterov momentum (needs momentum > 0 and dampening 0).
   * @defaultValue `false`
   */
  nesterov?: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @defaultValue `false`
   */
  maximize?: boolean;
}

/** `SGD`'s state of one parameter: the momentum buffer (`null` while momentum is 0, as PyTorch's `None`). */
export interface SGDState {
  /**
   * The velocity b: `g` on the first step, then `momentum · b + (1 − dampening) · g`; shaped like the
   * parameter, `null` while momentum is 0 (PyTorch's `momentum_buffer`).
   */
  momentumBuffer: Tensor | null;
}

function resolveSGDOptions(owner: string, options: Readonly<Record<string, unknown>>): Required<SGDOptions> {
  const resolved = {
    lr: checkNonNegative(owner, 'learning rate', options.lr),
    momentum: checkNonNegative(owner, 'momentum value', options.momentum),
    dampening: checkNumber(owner, 'dampening', options.dampening),
    weightDecay: checkNonNegative(owner, 'weightDecay value', options.weightDecay),
    nesterov: checkBoolean(owner, 'nesterov', options.nesterov),
    maximize: checkBoolean(owner, 'maximize', options.maximize),
  };
  if (resolved.nesterov && (resolved.momentum <= 0 || resolved.dampening !== 0)) {
    throw new RangeError(
      `${owner}: nesterov momentum requires a momentum and zero dampening (got momentum ${resolved.momentum}, dampening ${resolved.dampening})`,
    );
  }
  return resolved;
}

const SGD_SPEC: OptimizerSpec<SGDOptions> = {
  name: 'SGD',
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  resolve: resolveSGDOptions,
};

registerKernel('sgdUpdate', sgdUpdateKernel);
// The WebAssembly SIMD update for float32 momentum steps, where this runtime compiles it.
if (sgdWasm() !== undefined) registerKernel('sgdUpdate', sgdUpdateWasmKernel, { backend: WASM_BACKEND, override: true });

/**
 * Stochastic gradient descent, optionally with momentum, like `torch.optim.SGD`:
 *
 * ```
 * g = ∇f(p) (negated when maximize) + weightDecay · p
 * b = g on the first step, then momentum · b + (1 − dampening) · g
 * g = nesterov ? g + momentum · b : b          (with momentum)
 * p = p − lr · g
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * // per-group options: the head learns 10× faster
 * const tuned = new SGD([{ params: body.parameters() }, { params: head.parameters(), lr: 0.1 }], { lr: 0.01, momentum: 0.9 });
 * ```
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  /**
   * @param params - the tensors to optimize (e.g. `model.parameters()`), or parameter groups with their own options.
   * @param options - the defaults of every group.
   * @throws RangeError for a negative lr, momentum or weightDecay, or nesterov without momentum or with dampening;
   * Error, DTypeError for invalid parameters (non-leaf, not floating point, in two groups).
   */
  constructor(params: ParamsInput<SGDOptions>, options: SGDOptions = {}) {
    super(SGD_SPEC, params, options);
  }

  protected override updateParameter(group: ParamGroupOf<SGDOptions>, parameter: Tensor, grad: Tensor): void {
    let state = this.state.get(parameter);
    if (state === undefined) {
      state = { momentumBuffer: null };
      this.state.set(parameter, state);
    }
    let buffer: Tensor | null = null;
    let initialize = false;
    if (group.momentum !== 0) {
      buffer = state.momentumBuffer;
      if (buffer === null) {
        buffer = fullLikeParameter(parameter);
        state.momentumBuffer = buffer;
        initialize = true;
      }
    }
    getKernel('sgdUpdate')(parameter, grad, buffer, {
      lr: group.lr, momentum: group.momentum, dampening: group.dampening, weightDecay: group.weightDecay,
      nesterov: group.nesterov, maximize: group.maximize, initialize,
    });
  }

  protected override restoreState(_parameter: Tensor, saved: SavedStateReader): SGDState {
    saved.checkKeys(['momentumBuffer']);
    return { momentumBuffer: saved.optionalTensor('momentumBuffer') };
  }
}
