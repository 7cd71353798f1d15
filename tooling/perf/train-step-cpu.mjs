#!/usr/bin/env node
/**
 * The CNN and MLP training steps of apps/bench (`cnn_train_step`,
 * `mlp_train_step`), timed in process CPU time (user + system, all threads)
 * rather than wall time, so that two checkouts can be compared on a loaded
 * machine. Profile one with `node --cpu-prof tooling/perf/train-step-cpu.mjs`.
 *
 * Run after `pnpm build`: `node tooling/perf/train-step-cpu.mjs [checkout]`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? new URL('../..', import.meta.url).pathname);
const load = (name) => import(pathToFileURL(resolve(root, 'packages', name, 'dist', 'index.js')).href);
const { Tensor, manualSeed, randn } = await load('tensor');
await load('autograd');
const { Conv2d, MaxPool2d } = await load('layers-conv');
const { Dropout, Flatten, Linear, ReLU } = await load('layers-misc');
const { BatchNorm2d } = await load('layers-norm');
const { CrossEntropyLoss } = await load('losses');
const { Sequential } = await load('module');
const { Adam, SGD } = await load('optim');

function time(label, step, reps) {
  for (let i = 0; i < 3; i++) step();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const start = process.cpuUsage();
    step();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(16)} median ${times[times.length >> 1].toFixed(1)} ms, min ${times[0].toFixed(1)} ms (CPU time, ${reps} steps)`);
}

function labelsOf(batch) {
  return Tensor.fromData(Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10), [batch]);
}

console.log(`checkout: ${root}`);
manualSeed(72);
const cnn = new Sequential(
  new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2),
  new Conv2d(32, 64, 3), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
  new Flatten(), new Dropout(0.25), new Linear(1600, 128), new ReLU(), new Linear(128, 10),
);
const images = randn([64, 1, 28, 28]);
const cnnLabels = labelsOf(64);
const criterion = new CrossEntropyLoss();
const adam = new Adam(cnn.parameters(), { lr: 1e-3 });
time('cnn_train_step', () => {
  adam.zeroGrad();
  criterion.forward(cnn.forward(images), cnnLabels).backward();
  adam.step();
}, Number(process.env.REPS ?? 20));

const mlp = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(), new Linear(256, 10));
const inputs = randn([128, 784]);
const mlpLabels = labelsOf(128);
const sgd = new SGD(mlp.parameters(), { lr: 0.01, momentum: 0.9 });
time('mlp_train_step', () => {
  sgd.zeroGrad();
  criterion.forward(mlp.forward(inputs), mlpLabels).backward();
  sgd.step();
}, 5 * Number(process.env.REPS ?? 20));
