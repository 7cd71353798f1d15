import { noGrad } from '@strata/autograd';
import { Tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { relativeDifference } from '../harness.js';
import { loadTfjs } from '../peers/tfjs.js';
import { UnsupportedError } from '../workload.js';
import { cnnWorkloads, setup, strataModel, tfjsCnn } from './cnn.js';

const step = cnnWorkloads.find((workload) => workload.id === 'cnn_train_step')!;
const epoch = cnnWorkloads.find((workload) => workload.id === 'fashion_mnist_epoch')!;

describe('cnn_train_step', () => {
  it('gives TF.js the same network: its forward from the converted weights (NHWC, [kh, kw, in, out]) equals Strata’s', async () => {
    const inputs = setup();
    const x = Tensor.fromData(inputs.x.slice(), [64, 1, 28, 28]);
    const ours = Float32Array.from(noGrad(() => strataModel(inputs, 0).forward(x)).contiguousData());
    const tfjs = await loadTfjs(['cpu']);
    await tfjs.use('cpu');
    const model = tfjsCnn(tfjs.tf, inputs);
    const theirs = tfjs.tf.tidy(() => Float32Array.from(model.forward(0).dataSync()));
    model.dispose();
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

  it('TF.js wasm cannot: it has no Conv2DBackpropFilter kernel', async () => {
    const tfjs = await loadTfjs(['wasm']);
    await tfjs.use('wasm');
    expect(() => step.prepare().tfjs(tfjs.tf)).toThrow(new UnsupportedError('TF.js wasm has no Conv2DBackpropFilter kernel (the weight gradient)'));
  });
});

describe('fashion_mnist_epoch', () => {
  it('runs only on request, once, without warm-up, and not on TF.js', async () => {
    expect(epoch.onlyOnRequest).toBe(true);
    expect(step.onlyOnRequest).toBe(false);
    expect(epoch.policy).toEqual({ warmups: 0, reps: 1, minSeconds: 0 });
    const tfjs = await loadTfjs(['cpu']);
    expect(() => epoch.prepare().tfjs(tfjs.tf)).toThrow(UnsupportedError);
  });
});
