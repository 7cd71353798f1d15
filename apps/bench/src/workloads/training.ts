import '@strata/autograd';
import { Linear, ReLU } from '@strata/layers-misc';
import { CrossEntropyLoss } from '@strata/losses';
import { Sequential } from '@strata/module';
import { SGD } from '@strata/optim';
import { Generator, Tensor } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { type JaxArray, jaxArray, readJax } from '../peers/jax.js';
import { type Jax, type Runner, type Tfjs, type Workload, defineWorkload } from '../workload.js';

type TfTensor = ReturnType<Tfjs['tensor']>;
type TfVariable = ReturnType<Tfjs['variable']>;

const BATCH = 128;
const SIZES = [784, 256, 256, 10];
const CLASSES = 10;
const LR = 0.01;
const MOMENTUM = 0.9;
/** The steps the output check takes from the initial weights (the second one uses the momentum buffer). */
const CHECK_STEPS = 2;

/** The batch, its labels and the initial weights ([out, in], PyTorch's layout) and biases of the three layers. */
interface MlpInputs {
  x: Float32Array;
  labels: Int32Array;
  weights: Float32Array[];
  biases: Float32Array[];
}

function setup(): MlpInputs {
  const generator = new Generator(61);
  const labels = new Int32Array(BATCH);
  for (let i = 0; i < BATCH; i++) labels[i] = generator.nextInt(0, CLASSES);
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let layer = 0; layer < 3; layer++) {
    const [inputs, outputs] = [SIZES[layer]!, SIZES[layer + 1]!];
    // Normal with PyTorch's default init's spread (uniform ±1/√fanIn has standard deviation 1/√(3·fanIn)).
    const scale = 1 / Math.sqrt(3 * inputs);
    weights.push(seededNormal(outputs * inputs, 62 + layer).map((value) => value * scale));
    biases.push(seededNormal(outputs, 65 + layer).map((value) => value * scale));
  }
  return { x: seededNormal(BATCH * SIZES[0]!, 60), labels, weights, biases };
}

/** The arrays one after another in one array. */
function concatenate(parts: readonly Float32Array[]): Float32Array {
  const result = new Float32Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** One training step of the MLP: zeroGrad, forward, cross-entropy, backward, SGD with momentum. */
function strata(inputs: MlpInputs): Runner {
  const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(), new Linear(256, 10));
  const reset = (): void => {
    const state: Record<string, Tensor> = {};
    for (let layer = 0; layer < 3; layer++) {
      state[`${layer * 2}.weight`] = Tensor.fromData(inputs.weights[layer]!.slice(), [SIZES[layer + 1]!, SIZES[layer]!]);
      state[`${layer * 2}.bias`] = Tensor.fromData(inputs.biases[layer]!.slice(), [SIZES[layer + 1]!]);
    }
    model.loadStateDict(state);
  };
  reset();
  const x = Tensor.fromData(inputs.x.slice(), [BATCH, SIZES[0]!]);
  const labels = Tensor.fromData(inputs.labels.slice(), [BATCH]);
  const criterion = new CrossEntropyLoss();
  let optimizer = new SGD(model.parameters(), { lr: LR, momentum: MOMENTUM });
  const step = (): void => {
    optimizer.zeroGrad();
    criterion.forward(model.forward(x), labels).backward();
    optimizer.step();
  };
  return {
    run: step,
    // The last layer's weight and bias after CHECK_STEPS steps from the initial weights.
    output: () => {
      reset();
      optimizer = new SGD(model.parameters(), { lr: LR, momentum: MOMENTUM });
      for (let i = 0; i < CHECK_STEPS; i++) step();
      const last = model.parameters().slice(-2);
      return concatenate(last.map((parameter) => Float32Array.from(parameter.contiguousData())));
    },
  };
}

/** The same step in TF.js: `optimizer.minimize` with tf.train.momentum (PyTorch's SGD momentum without dampening). */
function tfjs(tf: Tfjs, inputs: MlpInputs): Runner {
  const x = tf.tensor2d(inputs.x, [BATCH, SIZES[0]!], 'float32');
  const targets = tf.oneHot(tf.tensor1d(inputs.labels, 'int32'), CLASSES);
  let variables: TfVariable[] = [];
  let optimizer = tf.train.momentum(LR, MOMENTUM);
  const reset = (): void => {
    for (const variable of variables) variable.dispose();
    optimizer.dispose();
    variables = [];
    for (let layer = 0; layer < 3; layer++) {
      variables.push(tf.variable(tf.tensor2d(inputs.weights[layer]!, [SIZES[layer + 1]!, SIZES[layer]!], 'float32')));
      variables.push(tf.variable(tf.tensor1d(inputs.biases[layer]!, 'float32')));
    }
    optimizer = tf.train.momentum(LR, MOMENTUM);
  };
  reset();
  const loss = (): TfTensor => {
    let hidden: TfTensor = x;
    for (let layer = 0; layer < 3; layer++) {
      hidden = tf.add(tf.matMul(hidden, variables[layer * 2]!, false, true), variables[layer * 2 + 1]!);
      if (layer < 2) hidden = tf.relu(hidden);
    }
    return tf.losses.softmaxCrossEntropy(targets, hidden) as TfTensor;
  };
  const step = (): void => {
    tf.tidy(() => {
      optimizer.minimize(loss as never, false, variables);
    });
  };
  return {
    run: step,
    output: () => {
      reset();
      for (let i = 0; i < CHECK_STEPS; i++) step();
      return concatenate([Float32Array.from(variables[4]!.dataSync()), Float32Array.from(variables[5]!.dataSync())]);
    },
    dispose: () => {
      for (const tensor of [...variables, x, targets]) tensor.dispose();
      optimizer.dispose();
    },
  };
}

/**
 * The same step in jax-js: the loss's gradient with `grad`, SGD with momentum
 * written out as PyTorch's (no dampening; jax-js has no optimizers), the whole
 * step compiled with `jit`. Timed through `runAsync`, which waits for the new weights.
 */
function jax(module: Jax, inputs: MlpInputs): Runner {
  const { numpy: np, nn } = module;
  const x = jaxArray(module, inputs.x, [BATCH, SIZES[0]!]);
  const targets = nn.oneHot(jaxArray(module, inputs.labels, [BATCH]), CLASSES).astype(np.float32);
  const initial = (): { params: JaxArray[]; buffers: JaxArray[] } => {
    const params: JaxArray[] = [];
    for (let layer = 0; layer < 3; layer++) {
      params.push(jaxArray(module, inputs.weights[layer]!, [SIZES[layer + 1]!, SIZES[layer]!]));
      params.push(jaxArray(module, inputs.biases[layer]!, [SIZES[layer + 1]!]));
    }
    return { params, buffers: params.map((param) => np.zerosLike(param.ref)) };
  };
  const loss = (params: JaxArray[], input: JaxArray, target: JaxArray): JaxArray => {
    let hidden = input;
    for (let layer = 0; layer < 3; layer++) {
      hidden = np.matmul(hidden, np.transpose(params[layer * 2]!)).add(params[layer * 2 + 1]!);
      if (layer < 2) hidden = nn.relu(hidden);
    }
    return nn.logSoftmax(hidden, -1).mul(target).sum().mul(-1 / BATCH);
  };
  const gradient = module.grad(loss) as (params: JaxArray[], input: JaxArray, target: JaxArray) => JaxArray[];
  const step = module.jit((params: JaxArray[], buffers: JaxArray[], input: JaxArray, target: JaxArray) => {
    const gradients = gradient(params.map((param) => param.ref), input, target);
    // PyTorch: buf = momentum · buf + g (buf = g on the first step: the same from zeros); p −= lr · buf.
    const nextBuffers = buffers.map((buffer, i) => buffer.mul(MOMENTUM).add(gradients[i]!));
    return [params.map((param, i) => param.sub(nextBuffers[i]!.ref.mul(LR))), nextBuffers];
  }) as unknown as (params: JaxArray[], buffers: JaxArray[], input: JaxArray, target: JaxArray) => [JaxArray[], JaxArray[]];
  let state = initial();
  const advance = (): void => {
    const [params, buffers] = step(state.params, state.buffers, x.ref, targets.ref);
    state = { params, buffers };
  };
  return {
    run: () => {
      throw new Error('mlp_train_step on jax-js: timed through runAsync');
    },
    runAsync: async () => {
      advance();
      await module.blockUntilReady(state.params);
    },
    output: () => {
      module.tree.dispose([state.params, state.buffers] as never);
      state = initial();
      for (let i = 0; i < CHECK_STEPS; i++) advance();
      return concatenate([readJax(state.params[4]!), readJax(state.params[5]!)]);
    },
    dispose: () => {
      module.tree.dispose([state.params, state.buffers, x, targets] as never);
    },
  };
}

/** mlp_train_step of WORKLOADS.md. */
export const trainingWorkloads: readonly Workload[] = [
  defineWorkload<MlpInputs>({
    id: 'mlp_train_step',
    summary: 'Linear 784-256-256-10 with ReLU, cross-entropy, SGD(lr 0.01, momentum 0.9): one step on a batch of 128',
    // The products: forward and weight gradients 2·128·(784·256 + 256·256 + 256·10) each, input gradients of layers 2 and 3.
    flop: 2 * BATCH * (2 * (784 * 256 + 256 * 256 + 256 * 10) + 256 * 256 + 256 * 10),
    setup,
    strata,
    tfjs,
    jax,
  }),
];
