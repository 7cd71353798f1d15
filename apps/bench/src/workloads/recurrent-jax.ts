import { type JaxArray, jaxArray, jaxRunner, readJax } from '../peers/jax.js';
import type { Jax, Runner } from '../workload.js';

/** A state dict as plain arrays: PyTorch's key names and layouts. */
export type LstmState = Record<string, { shape: number[]; data: Float32Array }>;

/** The sizes of the LSTM, as the workload sets them. */
export interface LstmSizes {
  batch: number;
  length: number;
  input: number;
  hidden: number;
}

/** The arrays of one run: the input, both states and the upstream gradient, as the Strata runner gets them. */
export interface LstmData {
  x: Float32Array;
  h0: Float32Array;
  c0: Float32Array;
  upstream: Float32Array;
}

/**
 * lstm_fwd_bwd in jax-js: PyTorch's one-layer LSTM (gates i, f, g, o) written
 * with jax-js's ops from the same state dict Strata loads: the input
 * projection of every step as one product, then one recurrent product per
 * step, unrolled in a JavaScript loop (jax-js has no `scan`), the gradients to
 * the input, both states and every weight with `grad`, jitted. The input's
 * gradient is the checked output.
 */
export function jaxLstmRunner(jax: Jax, sizes: LstmSizes, state: LstmState, data: LstmData): Runner {
  const { numpy: np, nn } = jax;
  const { batch, length, input, hidden } = sizes;
  const x = jaxArray(jax, data.x, [batch, length, input]);
  const h0 = jaxArray(jax, data.h0, [batch, hidden]);
  const c0 = jaxArray(jax, data.c0, [batch, hidden]);
  const upstream = jaxArray(jax, data.upstream, [batch, length, hidden]);
  const weights = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((key) => jaxArray(jax, state[key]!.data, state[key]!.shape));
  const loss = (inputs: JaxArray, hiddenState: JaxArray, cellState: JaxArray, parameters: JaxArray[], gradient: JaxArray): JaxArray => {
    const [inputWeight, hiddenWeight, inputBias, hiddenBias] = parameters as [JaxArray, JaxArray, JaxArray, JaxArray];
    // [N, L, 4H] → L arrays [N, 4H], step-major.
    const projected = np.matmul(inputs, np.transpose(inputWeight)).add(inputBias).add(hiddenBias);
    const steps = np.split(np.transpose(projected, [1, 0, 2]), length, 0);
    const recurrent = np.transpose(hiddenWeight);
    let h = hiddenState;
    let c = cellState;
    const outputs: JaxArray[] = [];
    for (const step of steps) {
      const gates = step.reshape([batch, 4 * hidden]).add(np.matmul(h, recurrent.ref));
      const [i, f, g, o] = np.split(gates, 4, -1) as [JaxArray, JaxArray, JaxArray, JaxArray];
      c = nn.sigmoid(f).mul(c).add(nn.sigmoid(i).mul(np.tanh(g)));
      h = nn.sigmoid(o).mul(np.tanh(c.ref));
      outputs.push(h.ref);
    }
    recurrent.dispose();
    h.dispose();
    c.dispose();
    return np.stack(outputs, 1).mul(gradient).sum();
  };
  const gradients = jax.jit(jax.grad(loss, { argnums: [0, 1, 2, 3] }) as never) as unknown as (
    inputs: JaxArray, hiddenState: JaxArray, cellState: JaxArray, parameters: JaxArray[], gradient: JaxArray,
  ) => [JaxArray, JaxArray, JaxArray, JaxArray[]];
  return jaxRunner(
    jax,
    () => gradients(x.ref, h0.ref, c0.ref, jax.tree.ref(weights), upstream.ref),
    (result) => readJax(result[0]),
    [x, h0, c0, upstream, ...weights],
  );
}
