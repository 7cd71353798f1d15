/** The README's example, with its commented results asserted (keep the two in step). */
import '@strata/autograd';
import { noGrad } from '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d } from '@strata/layers-norm';
import { Sequential } from '@strata/module';
import { randn, tensor } from '@strata/tensor';
import * as ort from 'onnxruntime-node';
import { expect, it } from 'vitest';
import { exportOnnx, toPyTorch } from './index.js';

it("runs the README's example", async () => {
  const model = new Sequential(
    new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2),
    new Conv2d(32, 64, 3), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dropout(0.25), new Linear(1600, 128), new ReLU(), new Linear(128, 10),
  );
  const onnx = exportOnnx(model, randn([1, 1, 28, 28]), {
    inputNames: ['images'],
    outputNames: ['logits'],
    dynamicAxes: { images: { 0: 'batch' }, logits: { 0: 'batch' } },
  });
  const session = await ort.InferenceSession.create(onnx);
  const images = randn([8, 1, 28, 28]);
  const { logits } = await session.run({ images: new ort.Tensor('float32', images.toTypedArray() as Float32Array, [8, 1, 28, 28]) });
  expect(logits!.dims).toEqual([8, 10]);
  const expected = noGrad(() => model.eval().forward(images));
  expect(tensor(logits!.data as Float32Array, { shape: [8, 10] }).sub(expected).abs().max().item()).toBeLessThan(1e-5);
  const { source } = toPyTorch(model);
  expect(source.includes('class Net(nn.Sequential):')).toBe(true);
});
