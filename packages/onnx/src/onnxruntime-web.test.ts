/**
 * The browser runtime: the exported benchmark CNN run by onnxruntime-web's
 * WebAssembly backend (the one a page uses; in Node it loads the same .wasm
 * from the package), with a dynamic batch, equal to Strata's outputs.
 */
import '@strata/autograd';
import { noGrad } from '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d } from '@strata/layers-norm';
import { Sequential } from '@strata/module';
import { manualSeed, randn, tensor } from '@strata/tensor';
import * as ort from 'onnxruntime-web';
import { expect, it } from 'vitest';
import { exportOnnx } from './index.js';
import { randomizeWeights } from './layer-test-support.js';

it('the exported CNN runs in onnxruntime-web (wasm) as in Strata', async () => {
  manualSeed(4);
  const model = new Sequential(
    new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2),
    new Conv2d(32, 64, 3), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dropout(0.25), new Linear(1600, 128), new ReLU(), new Linear(128, 10),
  );
  randomizeWeights(model);
  const bytes = exportOnnx(model, randn([1, 1, 28, 28]), {
    inputNames: ['images'],
    outputNames: ['logits'],
    dynamicAxes: { images: { 0: 'batch' }, logits: { 0: 'batch' } },
  });
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const images = randn([3, 1, 28, 28]);
  const { logits } = await session.run({ images: new ort.Tensor('float32', images.toTypedArray() as Float32Array, [3, 1, 28, 28]) });
  expect(logits!.dims).toEqual([3, 10]);
  const expected = noGrad(() => model.eval().forward(images));
  const difference = tensor(logits!.data as Float32Array, { shape: [3, 10] }).sub(expected).abs().max().item();
  console.log(`|Strata − onnxruntime-web| on the CNN: ${difference.toExponential(2)} (outputs up to ${expected.abs().max().item().toFixed(1)})`);
  expect(difference).toBeLessThanOrEqual(1e-5 + 1e-5 * expected.abs().max().item());
});
