/**
 * The CNN demo's Web Worker: trains the Fashion-MNIST CNN on the shipped
 * subset off the main thread, so the page stays responsive. Reports every
 * step's loss and batch accuracy, can pause and resume between steps,
 * evaluates on test images at the end, and sends the weights as safetensors.
 */
import '@strata/autograd';
import { noGrad } from '@strata/autograd';
import { CrossEntropyLoss } from '@strata/losses';
import { saveSafetensors } from '@strata/module';
import { Adam } from '@strata/optim';
import { Generator, manualSeed } from '@strata/tensor';
import { Accuracy, ConfusionMatrix, DataLoader, mnistDataset } from '@strata/train';
import { createCnn } from '@strata/examples-fashion-mnist/model';
import { fetchFashionMnist } from './fashion-mnist';
import type { FromWorker, ToWorker } from './train-protocol';

const post = (message: FromWorker): void => postMessage(message);

let model: ReturnType<typeof createCnn> | null = null;
let paused = false;
let wake: (() => void) | null = null;

/** Lets queued messages (pause, download) in between steps. */
const breathe = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function train(options: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  post({ type: 'status', text: 'loading the shipped Fashion-MNIST subset…' });
  const [trainSplit, testSplit] = await Promise.all([fetchFashionMnist(options.base, 'train'), fetchFashionMnist(options.base, 'test')]);
  const trainSet = mnistDataset(trainSplit.images, trainSplit.labels, { limit: options.trainImages });
  const testSet = mnistDataset(testSplit.images, testSplit.labels, { limit: options.testImages });

  manualSeed(options.seed);
  model = createCnn();
  const optimizer = new Adam(model.parameters(), { lr: options.lr });
  const lossFn = new CrossEntropyLoss();
  const loader = new DataLoader(trainSet, { batchSize: options.batchSize, shuffle: true, generator: new Generator(options.seed) });
  post({ type: 'status', text: `training on ${trainSet.length} images, ${model.numParameters().toLocaleString('en-US')} parameters` });

  model.train();
  let step = 0;
  const started = performance.now();
  while (step < options.steps) {
    for (const [images, labels] of loader) {
      if (step >= options.steps) break;
      await breathe();
      if (paused) {
        post({ type: 'paused', step });
        await new Promise<void>((resolve) => (wake = resolve));
      }
      optimizer.zeroGrad();
      const output = model.forward(images);
      const loss = lossFn.forward(output, labels);
      loss.backward();
      optimizer.step();
      const accuracy = new Accuracy();
      accuracy.update(output.detach(), labels);
      step++;
      post({ type: 'step', step, loss: loss.item(), accuracy: accuracy.compute(), millisecondsPerStep: (performance.now() - started) / step });
    }
  }

  post({ type: 'status', text: `evaluating on ${testSet.length} test images…` });
  model.eval();
  const confusion = new ConfusionMatrix(10);
  const accuracy = new Accuracy();
  let lossSum = 0;
  const predictions: { pixels: number[]; label: number; predicted: number }[] = [];
  noGrad(() => {
    for (const [images, labels] of new DataLoader(testSet, { batchSize: 250 })) {
      const output = model!.forward(images);
      lossSum += lossFn.forward(output, labels).item() * labels.shape[0]!;
      confusion.update(output, labels);
      accuracy.update(output, labels);
      if (predictions.length === 0) {
        const predicted = output.argmax(1).toTypedArray();
        const truth = labels.toTypedArray();
        const pixels = images.toTypedArray();
        for (let i = 0; i < 12; i++) predictions.push({ pixels: Array.from(pixels.subarray(i * 784, (i + 1) * 784)), label: truth[i]!, predicted: predicted[i]! });
      }
    }
  });
  post({ type: 'evaluated', testAccuracy: accuracy.compute(), testLoss: lossSum / testSet.length, confusion: confusion.compute(), predictions });
  post({ type: 'status', text: 'done' });
}

onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'start') {
    train(message).catch((error: unknown) => post({ type: 'error', text: error instanceof Error ? error.message : String(error) }));
  } else if (message.type === 'pause') {
    paused = true;
  } else if (message.type === 'resume') {
    paused = false;
    wake?.();
    wake = null;
  } else if (message.type === 'download' && model !== null) {
    const bytes = saveSafetensors(model.stateDict(), { format: 'pt' });
    postMessage({ type: 'weights', bytes } satisfies FromWorker, [bytes.buffer]);
  }
};

