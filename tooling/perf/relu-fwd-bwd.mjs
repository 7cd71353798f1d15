#!/usr/bin/env node
/**
 * Micro-benchmark: ReLU forward and backward on a [64, 32, 26, 26] float32
 * tensor with random signs (the first ReLU of the CNN step), and a few
 * elementwise ops of the same size. Times are process CPU time (user +
 * system, all threads), so a loaded machine skews them less than wall time.
 *
 * Run after `pnpm build`: `node tooling/perf/relu-fwd-bwd.mjs [checkout]`
 * (default: this checkout; pass another worktree to compare).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? new URL('../..', import.meta.url).pathname);
const load = (name) => import(pathToFileURL(resolve(root, 'packages', name, 'dist', 'index.js')).href);
const { Tensor, add, le, mul, relu } = await load('tensor');
const { noGrad } = await load('autograd');

const shape = [64, 32, 26, 26];
const count = shape.reduce((product, size) => product * size, 1);
const data = new Float32Array(count);
let seed = 12345;
for (let i = 0; i < count; i++) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  data[i] = seed / 2147483648 - 0.5;
}
const x = Tensor.fromData(data, shape).requiresGrad_();
const upstream = Tensor.fromData(data.map((value) => value * 0.5 + 0.1), shape);
const plain = Tensor.fromData(data.slice(), shape);
const reps = Number(process.env.REPS ?? 30);

function time(label, run) {
  for (let i = 0; i < 3; i++) run();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(22)} median ${times[times.length >> 1].toFixed(2)} ms, min ${times[0].toFixed(2)} ms (CPU time)`);
}

console.log(`checkout: ${root}`);
time('relu forward', () => noGrad(() => relu(x)));
time('relu forward+backward', () => {
  x.grad = null;
  relu(x).backward(upstream);
});
time('add, same shape', () => add(plain, upstream));
time('mul by a number', () => mul(plain, 0.5));
time('le against 0', () => le(plain, 0));
