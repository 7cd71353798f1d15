import { fileURLToPath } from 'node:url';
import { noGrad } from '@strata/autograd';
import { Tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { relativeDifference } from '../harness.js';
import { loadTfjs } from '../peers/tfjs.js';
import { tfjsBatch, tfjsCnn } from './cnn-tfjs.js';
import { TFJS_EPOCH_STEPS, cnnWorkloads, tfjsEpoch } from './cnn.js';
import { setup, strataModel } from './cnn-model.js';

/** The Fashion-MNIST subset the demo ships: 6,000 training images, so 94 batches of 64. */
const SHIPPED_SUBSET = fileURLToPath(new URL('../../../../examples/fashion-mnist/data', import.meta.url));

const step = cnnWorkloads.find((workload) => workload.id === 'cnn_train_step')!;
const epoch = cnnWorkloads.find((workload) => workload.id === 'fashion_mnist_epoch')!;

describe('cnn_train_step', () => {
  it('gives TF.js the same network: its forward from the converted weights (NHWC, [kh, kw, in, out]) equals Strata’s', async () => {
    const inputs = setup();
    const x = Tensor.fromData(inputs.x.slice(), [64, 1, 28, 28]);
    const ours = Float32Array.from(noGrad(() => strataModel(inputs, 0).forward(x)).contiguousData());
    const tfjs = await loadTfjs(['cpu']);
    await tfjs.use('cpu');
    const model = tfjsCnn(tfjs.tf, inputs.state);
    const batch = tfjsBatch(tfjs.tf, inputs.x, inputs.labels, 10);
    const theirs = tfjs.tf.tidy(() => Float32Array.from(model.forward(batch.x, 0).dataSync()));
    model.dispose();
    tfjs.tf.dispose([batch.x, batch.targets]);
    expect(theirs.length).toBe(640);
    expect(relativeDifference(ours, theirs)).toBeLessThan(1e-5);
  });

  it('Strata’s step trains: the check output (logits after two steps) differs from the initial logits', () => {
    const inputs = setup();
    const runner = step.prepare().strata();
    const after = runner.output!();
    const x = Tensor.fromData(inputs.x.slice(), [64, 1, 28, 28]);
    const before = Float32Array.from(noGrad(() => strataModel(inputs, 0).forward(x)).contiguousData());
    expect(after.length).toBe(640);
    expect(relativeDifference(after, before)).toBeGreaterThan(1e-3);
  });

  it('TF.js wasm runs it with the weight-gradient kernel borrowed from cpu, and gives the kernel back on dispose', async () => {
    const tfjs = await loadTfjs(['wasm']);
    await tfjs.use('wasm');
    const runner = step.prepare().tfjs(tfjs.tf);
    expect(tfjs.tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(runner.note?.()).toMatch(/^Conv2DBackpropFilter borrowed from TF.js cpu/);
    runner.dispose!();
    expect(tfjs.tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });
});

describe('fashion_mnist_epoch', () => {
  it('runs only on request, once, without warm-up', () => {
    expect(epoch.onlyOnRequest).toBe(true);
    expect(step.onlyOnRequest).toBe(false);
    expect(epoch.policy).toEqual({ warmups: 0, reps: 1, minSeconds: 0 });
  });

  it('TF.js is timed on the first steps of the epoch and scaled up to all of its batches', async () => {
    const tfjs = await loadTfjs(['cpu']);
    await tfjs.use('cpu');
    const runner = tfjsEpoch(tfjs.tf, { folder: SHIPPED_SUBSET });
    expect(runner.extrapolation).toEqual({
      factor: 94 / TFJS_EPOCH_STEPS,
      basis: `${TFJS_EPOCH_STEPS} of the epoch's 94 training steps (no data loading, no test pass)`,
    });
    expect(runner.note?.()).toBeUndefined();
    runner.dispose!();
  });
});
