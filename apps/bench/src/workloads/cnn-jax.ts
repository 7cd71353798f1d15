import { type JaxArray, jaxArray, readJax } from '../peers/jax.js';
import type { Jax } from '../workload.js';
import type { CnnState } from './cnn-tfjs.js';

/** The CNN's parameters in PyTorch's layouts and state-dict order: conv1 w, b; conv2 w, b; BatchNorm γ, β; fc1 w, b; fc2 w, b. */
const PARAMETER_KEYS = ['0.weight', '0.bias', '3.weight', '3.bias', '4.weight', '4.bias', '9.weight', '9.bias', '11.weight', '11.bias'];
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;
const BATCH_NORM_EPSILON = 1e-5;

/** Adam's state: the parameters, both moment estimates, and the steps taken. */
interface AdamState {
  params: JaxArray[];
  first: JaxArray[];
  second: JaxArray[];
  steps: number;
}

/**
 * The CNN's training step in jax-js, in PyTorch's layouts (NCHW activations,
 * [out, in, kh, kw] kernels, [out, in] dense weights): the loss's gradient
 * with `grad`, Adam written out as PyTorch computes it (jax-js has no
 * optimizers), the whole step compiled with `jit`. BatchNorm normalizes with
 * the batch's moments; its running statistics (two 64-element updates) are
 * left out, as in the TF.js version. Dropout draws its mask with
 * `random.bernoulli` from a key made from the step number.
 */
export class JaxCnnTrainer {
  private state: AdamState;
  private readonly steps: Map<number, (...args: unknown[]) => JaxArray[][]> = new Map();
  private readonly logitsOf: (params: JaxArray[], x: JaxArray) => JaxArray;

  constructor(
    private readonly jax: Jax,
    private readonly initial: CnnState,
    private readonly lr: number,
  ) {
    this.state = this.fresh();
    this.logitsOf = jax.jit((params: JaxArray[], x: JaxArray) => this.forward(params, x, null, 0)) as never;
  }

  private fresh(): AdamState {
    const params = PARAMETER_KEYS.map((key) => jaxArray(this.jax, this.initial[key]!.data, this.initial[key]!.shape));
    const zeros = (): JaxArray[] => params.map((param) => this.jax.numpy.zerosLike(param.ref));
    return { params, first: zeros(), second: zeros(), steps: 0 };
  }

  /** The logits [N, 10] of images x [N, 1, 28, 28]; consumes its arguments. */
  private forward(params: JaxArray[], x: JaxArray, key: JaxArray | null, dropout: number): JaxArray {
    const { numpy: np, lax, nn } = this.jax;
    const batch = x.shape[0]!;
    const [w1, b1, w2, b2, gamma, beta, w3, b3, w4, b4] = params as [JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray, JaxArray];
    const pool = (input: JaxArray): JaxArray => lax.reduceWindow(input, (values) => np.max(values), [2, 2], [2, 2]);
    const channels = (vector: JaxArray): JaxArray => vector.reshape([1, -1, 1, 1]);
    let h = pool(nn.relu(lax.conv(x, w1, [1, 1], 'VALID').add(channels(b1))));
    h = lax.conv(h, w2, [1, 1], 'VALID').add(channels(b2));
    h = nn.standardize(h, [0, 2, 3], { epsilon: BATCH_NORM_EPSILON }).mul(channels(gamma)).add(channels(beta));
    h = pool(nn.relu(h));
    let features = h.reshape([batch, -1]);
    if (key !== null && dropout > 0) {
      const keep = this.jax.random.bernoulli(key, 1 - dropout, features.shape);
      features = np.where(keep, features.mul(1 / (1 - dropout)), 0);
    } else {
      key?.dispose();
    }
    const hidden = nn.relu(np.matmul(features, np.transpose(w3)).add(b3));
    return np.matmul(hidden, np.transpose(w4)).add(b4);
  }

  /** The jitted step with dropout at `dropout`: (params, first, second, x, targets, key, corrections) → [params, first, second]. */
  private stepFunction(dropout: number): (...args: unknown[]) => JaxArray[][] {
    let step = this.steps.get(dropout);
    if (step !== undefined) return step;
    const { numpy: np, nn } = this.jax;
    const lr = this.lr;
    const loss = (params: JaxArray[], x: JaxArray, targets: JaxArray, key: JaxArray): JaxArray => {
      const batch = targets.shape[0]!;
      return nn.logSoftmax(this.forward(params, x, key, dropout), -1).mul(targets).sum().mul(-1 / batch);
    };
    const gradient = this.jax.grad(loss) as (params: JaxArray[], x: JaxArray, targets: JaxArray, key: JaxArray) => JaxArray[];
    // corrections: [1 / (1 − β₁ᵗ), 1 / √(1 − β₂ᵗ)], passed in so that one compiled step serves every t.
    step = this.jax.jit((params: JaxArray[], first: JaxArray[], second: JaxArray[], x: JaxArray, targets: JaxArray, key: JaxArray, corrections: JaxArray[]) => {
      const gradients = gradient(params.map((param) => param.ref), x, targets, key);
      const [firstCorrection, secondCorrection] = corrections as [JaxArray, JaxArray];
      const nextFirst = first.map((moment, i) => moment.mul(BETA1).add(gradients[i]!.ref.mul(1 - BETA1)));
      const nextSecond = second.map((moment, i) => moment.mul(BETA2).add(np.square(gradients[i]!).mul(1 - BETA2)));
      // PyTorch's Adam: p −= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
      const nextParams = params.map((param, i) =>
        param.sub(
          nextFirst[i]!.ref.mul(firstCorrection.ref.mul(lr)).div(np.sqrt(nextSecond[i]!.ref).mul(secondCorrection.ref).add(EPSILON)),
        ),
      );
      firstCorrection.dispose();
      secondCorrection.dispose();
      return [nextParams, nextFirst, nextSecond];
    }) as never;
    this.steps.set(dropout, step!);
    return step!;
  }

  /** One Adam step on the batch (x [N, 1, 28, 28], one-hot targets [N, 10]); the work is queued, not waited for. */
  step(x: JaxArray, targets: JaxArray, dropout: number): void {
    const { params, first, second, steps } = this.state;
    const t = steps + 1;
    const corrections = [this.jax.numpy.array(1 / (1 - BETA1 ** t)), this.jax.numpy.array(1 / Math.sqrt(1 - BETA2 ** t))];
    const [nextParams, nextFirst, nextSecond] = this.stepFunction(dropout)(
      params, first, second, x.ref, targets.ref, this.jax.random.key(t), corrections,
    ) as [JaxArray[], JaxArray[], JaxArray[]];
    this.state = { params: nextParams, first: nextFirst, second: nextSecond, steps: t };
  }

  /** Waits until every queued step has run. */
  async ready(): Promise<void> {
    await this.jax.blockUntilReady(this.state.params);
  }

  /** Starts again from the initial weights with fresh moments. */
  reset(): void {
    this.dispose();
    this.state = this.fresh();
  }

  /** The logits of x without dropout, as float32 (batch statistics, as in training mode). */
  logits(x: JaxArray): Float32Array {
    const logits = this.logitsOf(this.state.params.map((param) => param.ref), x.ref);
    const values = readJax(logits);
    logits.dispose();
    return values;
  }

  dispose(): void {
    this.jax.tree.dispose([this.state.params, this.state.first, this.state.second] as never);
  }
}
