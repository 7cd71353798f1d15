import { setGradEnabled } from '@strata/tensor';

/**
 * Runs `fn` with gradient recording off and returns its result, like
 * PyTorch's `with torch.no_grad():`. Tensors computed inside have no
 * `gradFn` and do not require grad. The previous mode is restored afterwards,
 * also when `fn` throws. `fn` must be synchronous (the mode is a global
 * switch, so it would not follow an `await`).
 *
 * @example
 * ```ts
 * const prediction = noGrad(() => model.forward(x)); // prediction.requiresGrad === false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}

/**
 * Runs `fn` with gradient recording on (also inside `noGrad`) and returns its
 * result, like PyTorch's `with torch.enable_grad():`. The previous mode is
 * restored afterwards, also when `fn` throws.
 */
export function enableGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}
