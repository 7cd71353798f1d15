/**
 * The input and state checks of the recurrent layers and cells, run before
 * anything is computed so that a bad call leaves the module as it was.
 * Messages follow PyTorch's `rnn.py`, with Strata's argument names.
 */
import { DTypeError, ShapeError, Tensor, checkTensor, formatShape, isFloatingPoint } from '@strata/tensor';

export { checkTensor };

/**
 * Checks an input's rank, dtype and feature size.
 * @throws ShapeError `LSTM: expected input to be 2-D or 3-D but received 4-D tensor`,
 * `LSTM: input.size(-1) must be equal to inputSize. Expected 10, got 12`.
 * @throws DTypeError `LSTM: expected input of dtype float32 (the parameters' dtype), got float64`.
 */
export function checkInput(name: string, input: unknown, ranks: readonly [number, number], inputSize: number, dtype: string): Tensor {
  checkTensor(name, 'input', input);
  if (!ranks.includes(input.ndim)) {
    throw new ShapeError(`${name}: expected input to be ${ranks[0]}-D or ${ranks[1]}-D but received ${input.ndim}-D tensor`);
  }
  if (!isFloatingPoint(input.dtype) || input.dtype !== dtype) {
    throw new DTypeError(`${name}: expected input of dtype ${dtype} (the parameters' dtype), got ${input.dtype}`);
  }
  const features = input.shape[input.ndim - 1]!;
  if (features !== inputSize) {
    throw new ShapeError(`${name}: input.size(-1) must be equal to inputSize. Expected ${inputSize}, got ${features}`);
  }
  return input;
}

/**
 * Checks a state tensor's shape and dtype (`label` is how the message names it: `hidden`, `hidden[0]`, `hidden[1]`).
 * @throws ShapeError `LSTM: expected hidden[0] size [2, 3, 20], got [1, 3, 20]`.
 * @throws DTypeError when its dtype is not the input's.
 */
export function checkState(name: string, label: string, state: Tensor, expected: readonly number[], dtype: string): void {
  if (state.ndim !== expected.length || state.shape.some((size, d) => size !== expected[d])) {
    throw new ShapeError(`${name}: expected ${label} size ${formatShape(expected)}, got ${formatShape(state.shape)}`);
  }
  if (state.dtype !== dtype) throw new DTypeError(`${name}: expected ${label} of dtype ${dtype} (the input's), got ${state.dtype}`);
}

/**
 * The initial states as given: `null`/`undefined`, one tensor (RNN, GRU) or a pair `[h0, c0]` (LSTM).
 * @throws TypeError `LSTM: expected hx to be a pair [h0, c0] of tensors, got object`.
 */
export function unpackStates(name: string, hx: unknown, pair: boolean): Tensor[] | null {
  if (hx === null || hx === undefined) return null;
  if (pair) {
    if (!Array.isArray(hx) || hx.length !== 2 || !hx.every((item) => item instanceof Tensor)) {
      throw new TypeError(`${name}: expected hx to be a pair [h0, c0] of tensors, got ${Array.isArray(hx) ? `an array of ${hx.length}` : typeof hx}`);
    }
    return hx as Tensor[];
  }
  checkTensor(name, 'hx', hx);
  return [hx];
}

/**
 * Checks that the states have the input's batching: as many dimensions as the input.
 * @throws ShapeError `LSTM: for batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors`.
 */
export function checkStateRanks(name: string, states: readonly Tensor[], batched: boolean, inputRank: number): void {
  // A state has as many dimensions as the input: batched or not, it drops the sequence and gains the layers.
  const rank = inputRank;
  if (states.every((state) => state.ndim === rank)) return;
  const kind = batched ? 'batched' : 'unbatched';
  const got = states.map((state) => `${state.ndim}-D`);
  const what = states.length === 2 ? `hx and cx should also be ${rank}-D but got (${got.join(', ')}) tensors` : `hx should also be ${rank}-D but got ${got[0]} tensor`;
  throw new ShapeError(`${name}: for ${kind} ${inputRank}-D input, ${what}`);
}
