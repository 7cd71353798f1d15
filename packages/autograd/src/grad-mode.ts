import { setGradEnabled } from '@strata/tensor';

/**
 * Runs `fn` with gradient recording off and returns its result, like
 * PyTorch's `with torch.no_grad():`. Tensors computed inside have no
 * `gradFn` and do not require grad. The previous mode is restored afterwards,
 * also when `fn` throws. `fn` must be synchronous (the mode is a global
 * switch, so it would not follow an `await`).
 *
 * @throws TypeError when `fn` is not a function, or is asynchronous (an
 * `async` function is refused before it runs; a function that returns a
 * promise is refused when it returns).
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
 * restored afterwards, also when `fn` throws. `fn` must be synchronous.
 * @throws TypeError when `fn` is not a function, or is asynchronous.
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
  if (isAsyncFunction(fn)) throw new TypeError(asynchronousMessage(name, 'got an async function'));
  const previous = setGradEnabled(enabled);
  let result: T;
  try {
    result = fn();
  } finally {
    setGradEnabled(previous);
  }
  if (isPromiseLike(result)) throw new TypeError(asynchronousMessage(name, 'the function returned a promise'));
  return result;
}

// Grad mode is one global switch: code after an `await` runs later, when the
// switch is back to what it was, so an async callback would silently record
// (or not record) gradients for everything after its first `await`.
function asynchronousMessage(name: string, what: string): string {
  return (
    `${name}: expected a synchronous function, ${what}. The grad mode is not carried across an await, ` +
    `so the code after the first await would run with the wrong mode; call ${name} around the synchronous part (e.g. ` +
    `\`const output = ${name}(() => model.forward(x))\`) instead`
  );
}

function isAsyncFunction(fn: unknown): boolean {
  const name = (fn as { constructor?: { name?: unknown } }).constructor?.name;
  return name === 'AsyncFunction' || name === 'AsyncGeneratorFunction';
}

function isPromiseLike(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
