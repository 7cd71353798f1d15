import '@strata/autograd';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { Embedding } from '@strata/layers-misc';
import { Generator, Tensor, ones } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { type JaxArray, jaxArray, jaxRunner, readJax } from '../peers/jax.js';
import { type Jax, type Runner, type Tfjs, UnsupportedError, type Workload, defineWorkload } from '../workload.js';

const VOCABULARY = 10000;
const DIMENSION = 128;
const INDEX_SHAPE = [64, 64];
const INDEX_COUNT = 64 * 64;

/**
 * The limits of the trial run TF.js gets before it is timed: its `cpu`
 * backend computes the gradient of `gather` (`UnsortedSegmentSum`) with one
 * masked product per table row, so on this workload it allocates gigabytes
 * and runs for minutes (PEERS.md: "did not finish, 6.8 GB and growing").
 */
const TRIAL_SECONDS = 20;
const TRIAL_MEGABYTES = 2048;

interface EmbeddingInputs {
  weight: Float32Array;
  indices: Int32Array;
}

function setup(): EmbeddingInputs {
  const generator = new Generator(2);
  const indices = new Int32Array(INDEX_COUNT);
  for (let i = 0; i < INDEX_COUNT; i++) indices[i] = generator.nextInt(0, VOCABULARY);
  return { weight: seededNormal(VOCABULARY * DIMENSION, 1), indices };
}

/** Forward and backward of an `Embedding` layer (upstream gradient ones); the weight's gradient is checked. */
function strata({ weight, indices }: EmbeddingInputs): Runner {
  const layer = Embedding.fromPretrained(Tensor.fromData(weight.slice(), [VOCABULARY, DIMENSION]), { freeze: false });
  const input = Tensor.fromData(indices.slice(), INDEX_SHAPE);
  const upstream = ones([...INDEX_SHAPE, DIMENSION]);
  return {
    run: () => {
      layer.weight.grad = null;
      layer.forward(input).backward(upstream);
    },
    output: () => Float32Array.from(layer.weight.grad!.contiguousData()),
  };
}

/**
 * The script of the trial: a worker thread runs one forward and backward on
 * TF.js's cpu backend while the main thread watches the clock and the
 * process's resident memory, and reports `{ status, ... }` as JSON.
 */
const TRIAL_SCRIPT = `
const { Worker } = require('node:worker_threads');
const settings = JSON.parse(process.argv[1]);
const worker = new Worker(\`
  const { parentPort, workerData } = require('node:worker_threads');
  const tf = require(workerData.core);
  require(workerData.cpu);
  // The gradient of gather as TF.js's own gather_grad.ts computes it (axis 0): the CommonJS
  // build of tfjs-core that Node loads registers no gradients.
  if (tf.getGradient('GatherV2') === undefined) {
    tf.registerGradient({
      kernelName: 'GatherV2',
      inputsToSave: ['x', 'indices'],
      gradFunc: (dy, [x, indices]) => ({
        x: () => tf.unsortedSegmentSum(tf.reshape(dy, [indices.size, ...x.shape.slice(1)]), tf.reshape(indices, [indices.size]), x.shape[0]),
        indices: () => indices,
      }),
    });
  }
  (async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    await tf.ready();
    const weight = tf.randomNormal([workerData.vocabulary, workerData.dimension]);
    const indices = tf.randomUniform(workerData.indexShape, 0, workerData.vocabulary, 'int32');
    const upstream = tf.ones([...workerData.indexShape, workerData.dimension]);
    const gradient = tf.grad((table) => tf.gather(table, indices));
    const start = performance.now();
    const result = gradient(weight, upstream);
    await result.data();
    parentPort.postMessage(performance.now() - start);
  })().catch((error) => parentPort.postMessage({ error: String(error) }));
\`, { eval: true, workerData: settings });
const start = Date.now();
const report = (result, code) => { process.stdout.write(JSON.stringify(result) + '\\n'); process.exit(code); };
const watch = setInterval(() => {
  const megabytes = process.memoryUsage().rss / 1048576;
  const seconds = (Date.now() - start) / 1000;
  if (megabytes > settings.megabytes) report({ status: 'memory', megabytes, seconds }, 3);
  if (seconds > settings.seconds) report({ status: 'time', megabytes, seconds }, 4);
}, 50);
worker.on('message', (message) => {
  clearInterval(watch);
  if (typeof message === 'number') report({ status: 'finished', milliseconds: message }, 0);
  report({ status: 'error', message: message.error }, 5);
});
worker.on('error', (error) => report({ status: 'error', message: String(error) }, 5));
`;

/**
 * Runs the trial in a child process (so a runaway run can be stopped and
 * its memory returned) and returns why TF.js did not finish, or `null`.
 */
function trialFailure(): string | null {
  const require = createRequire(import.meta.url);
  const settings = {
    core: require.resolve('@tensorflow/tfjs-core'),
    cpu: require.resolve('@tensorflow/tfjs-backend-cpu'),
    vocabulary: VOCABULARY,
    dimension: DIMENSION,
    indexShape: INDEX_SHAPE,
    seconds: TRIAL_SECONDS,
    megabytes: TRIAL_MEGABYTES,
  };
  const child = spawnSync(process.execPath, ['-e', TRIAL_SCRIPT, JSON.stringify(settings)], {
    encoding: 'utf8',
    timeout: (TRIAL_SECONDS + 30) * 1000,
    killSignal: 'SIGKILL',
  });
  const line = child.stdout?.trim().split('\n').pop() ?? '';
  let result: { status?: string; megabytes?: number; seconds?: number; message?: string } = {};
  try {
    result = JSON.parse(line) as typeof result;
  } catch {
    return `did not finish: the trial run was stopped after ${TRIAL_SECONDS + 30} s (${child.error?.message ?? `exit ${child.status}`})`;
  }
  const used = `${Math.round(result.megabytes ?? 0)} MB after ${(result.seconds ?? 0).toFixed(1)} s`;
  switch (result.status) {
    case 'finished':
      return null;
    case 'memory':
      return `did not finish: one forward + backward passed the ${TRIAL_MEGABYTES} MB cap (${used}) in UnsortedSegmentSum, the gradient of gather`;
    case 'time':
      return `did not finish: one forward + backward passed the ${TRIAL_SECONDS} s cap (${used}) in UnsortedSegmentSum, the gradient of gather`;
    default:
      return `did not finish: the trial run failed (${result.message ?? 'no message'})`;
  }
}

/**
 * Registers TF.js's gradient of `gather` (tfjs-core's gather_grad.ts, axis 0:
 * `unsortedSegmentSum` of the upstream rows) when no gradient is registered,
 * as the CommonJS build of tfjs-core registers none.
 */
function registerGatherGradient(tf: Tfjs): void {
  if (tf.getGradient('GatherV2') !== undefined) return;
  type TfTensor = ReturnType<Tfjs['tensor']>;
  tf.registerGradient({
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: ((dy: TfTensor, [x, indices]: TfTensor[]) => ({
      x: () => tf.unsortedSegmentSum(tf.reshape(dy, [indices!.size, ...x!.shape.slice(1)]), tf.reshape(indices!, [indices!.size]) as never, x!.shape[0]!),
      indices: () => indices!,
    })) as never,
  });
}

/** `gather` forward and its gradient with TF.js, after checking the backend can do it in bounded time and memory. */
function tfjs(tf: Tfjs, { weight, indices }: EmbeddingInputs): Runner {
  const backend = tf.getBackend();
  if (tf.getKernel('UnsortedSegmentSum', backend) === undefined) {
    throw new UnsupportedError(`TF.js ${backend} has no UnsortedSegmentSum kernel (the gradient of gather)`);
  }
  if (backend === 'cpu') {
    const failure = trialFailure();
    if (failure !== null) throw new Error(failure);
  }
  registerGatherGradient(tf);
  const table = tf.tensor2d(weight, [VOCABULARY, DIMENSION], 'float32');
  const input = tf.tensor2d(indices, [64, 64], 'int32');
  const upstream = tf.ones([...INDEX_SHAPE, DIMENSION]);
  const gradient = tf.grad((values) => tf.gather(values, input));
  let result: ReturnType<typeof gradient> | null = null;
  return {
    run: () => {
      result?.dispose();
      result = gradient(table, upstream as never);
    },
    output: () => Float32Array.from(result!.dataSync()),
    dispose: () => {
      for (const tensor of [result, table, input, upstream]) tensor?.dispose();
    },
  };
}

/**
 * jax-js's version: `take` of the table's rows, and the table's gradient of the sum (upstream ones).
 * Eager: under jax-js 0.1.25's jit the gradient's scatter fails ("routine primitive scatter input is not imm").
 */
function jax(module: Jax, { weight, indices }: EmbeddingInputs): Runner {
  const table = jaxArray(module, weight, [VOCABULARY, DIMENSION]);
  const input = jaxArray(module, indices, INDEX_SHAPE);
  const gradient = module.grad((values: JaxArray, rows: JaxArray) => module.numpy.take(values, rows, 0).sum()) as (values: JaxArray, rows: JaxArray) => JaxArray;
  return jaxRunner(module, () => gradient(table.ref, input.ref), readJax, [table, input]);
}

/** embedding_fwd_bwd of WORKLOADS.md: vocabulary 10000, dimension 128, indices [64, 64]. */
export const embeddingWorkloads: readonly Workload[] = [
  defineWorkload<EmbeddingInputs>({
    id: 'embedding_fwd_bwd',
    summary: `Embedding(${VOCABULARY}, ${DIMENSION}) forward on int indices [64, 64], backward to the weight (upstream ones)`,
    setup,
    strata,
    tfjs,
    jax,
  }),
];
