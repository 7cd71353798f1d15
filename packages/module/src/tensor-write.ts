import { Tensor, setGradEnabled } from '@strata/tensor';

/**
 * Runs `body` with gradient recording off, like `noGrad` from
 * `@strata/autograd`; used here so that initializers and state-dict loading
 * need only the tensor package at run time.
 */
export function withoutGrad<T>(body: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return body();
  } finally {
    setGradEnabled(previous);
  }
}

/**
 * Writes `values` (row-major, one per element of `target`) into `target` in
 * place with `Tensor.copy_`, converting to its dtype (bool stores
 * "nonzero"); the storage version is bumped once, as every in-place op does.
 * Call it inside `withoutGrad` when `target` may be a leaf that requires grad.
 */
export function writeElements(target: Tensor, values: Float64Array): void {
  target.copy_(Tensor.fromData(values, target.shape));
}
