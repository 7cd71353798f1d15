import { setGradEnabled } from '@strata/tensor';

/**
 * Runs `fn` with gradient recording off and returns its result, like
 * PyTorch's `with torch.no_grad():`. Tensors computed inside have no
 * `gradFn` and do not require grad. The previous mode is restored afterwards,
 * also when `fn` throws. `fn` must be synchronous (the mode is a global
 * switch, so it would not follow an `await`).
 *
 * @throws TypeError when `fn` is not a function.
 * @example
 * ```ts
 * const prediction = noGrad(() => model.forward(x)); // prediction.requiresGrad === false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, 'noGrad');
}

/**
 * Runs `fn` with gradient recording on (also inside `noGrad`) and returns its
 * result, like PyTorch's `with torch.enable_grad():`. The previous mode is
 * restored afterwards, also when `fn` throws.
 * @throws TypeError when `fn` is not a function.
 * @example
 * ```ts
 * noGrad(() => enableGrad(() => x.mul(2))).requiresGrad; // true when x requires grad
 * ```
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn, 'enableGrad');
}

function withGradMode<T>(enabled: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function') throw new TypeError(`${name}: expected a function to run, got ${fn === null ? 'null' : typeof fn}`);
  const previous = setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}
