import '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { BatchNorm2d } from '@strata/layers-norm';
import { Dropout, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { Sequential } from '@strata/module';
import { manualSeed, randn } from '@strata/tensor';
import * as ort from 'onnxruntime-node';
import { expect, it } from 'vitest';
import { exportOnnx } from './index.js';

it('smoke', async () => {
  manualSeed(0);
  const net = new Sequential(
    new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2),
    new Conv2d(32, 64, 3), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dropout(0.25), new Linear(1600, 128), new ReLU(), new Linear(128, 10),
  );
  const x = randn([2, 1, 28, 28]);
  const bytes = exportOnnx(net, x, { dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } });
  const session = await ort.InferenceSession.create(bytes);
  const x2 = randn([5, 1, 28, 28]);
  const result = await session.run({ input: new ort.Tensor('float32', x2.toTypedArray() as Float32Array, [5, 1, 28, 28]) });
  net.eval();
  const expected = net.forward(x2).toTypedArray();
  const got = result.output!.data as Float32Array;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff = Math.max(diff, Math.abs(expected[i]! - got[i]!));
  console.log('max diff', diff, result.output!.dims);
  expect(diff).toBeLessThan(1e-4);
});
