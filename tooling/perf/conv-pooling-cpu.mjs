#!/usr/bin/env node
/**
 * Forward and backward of the Fashion-MNIST CNN's convolution and pooling
 * layers (batch 64, shapes of apps/bench's cnn_train_step) and of the
 * conv/pooling workloads of ../shared/bench/WORKLOADS.md, each timed apart
 * in process CPU time (median), so that two checkouts can be compared on a
 * loaded machine (CPU time of every thread of the process: the worker threads
 * of the gemm and of the convolution forward count, spinning included). Use
 * STRATA_NUM_THREADS=1 for single-thread numbers, REPS
 * for the repetitions, and a second argument to run only the rows whose
 * label contains it. Profile with `node --cpu-prof`.
 *
 * Run after `pnpm build`: `node tooling/perf/conv-pooling-cpu.mjs [checkout] [filter]`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const root = resolve(process.argv[2] ?? new URL('../..', import.meta.url).pathname);
const only = process.argv[3];
const load = (name) => import(pathToFileURL(resolve(root, 'packages', name, 'dist', 'index.js')).href);
const { manualSeed, randn, ones } = await load('tensor');
await load('autograd');
const { conv2d, conv1d, conv3d, maxPool2d, avgPool2d } = await load('layers-conv');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
function bench(label, make, reps = Number(process.env.REPS ?? 15)) {
  if (only && !label.includes(only)) return;
  const f = [], b = [];
  for (let i = 0; i < reps + 3; i++) {
    const t0 = cpu(); const { y, g, after } = make(); const t1 = cpu(); y.backward(g); const t2 = cpu();
    after?.();
    if (i >= 3) { f.push(t1 - t0); b.push(t2 - t1); }
  }
  console.log(`${label.padEnd(28)} fwd ${med(f).toFixed(2).padStart(7)}  bwd ${med(b).toFixed(2).padStart(7)}  sum ${(med(f) + med(b)).toFixed(2).padStart(7)}`);
}
/** A forward alone (no graph), like the conv2d_fwd workload. */
function forwardOnly(label, run, reps = Number(process.env.REPS ?? 15)) {
  if (only && !label.includes(only)) return;
  const times = [];
  for (let i = 0; i < reps + 3; i++) {
    const t0 = cpu(); run(); const t1 = cpu();
    if (i >= 3) times.push(t1 - t0);
  }
  console.log(`${label.padEnd(28)} fwd ${med(times).toFixed(2).padStart(7)}`);
}
manualSeed(3);
{ const x = randn([32, 16, 32, 32]); const w = randn([32, 16, 3, 3]); const b = randn([32]);
  forwardOnly('conv2d_fwd', () => conv2d(x, w, b, { padding: 1 }));
}
{ // conv1: x[64,1,28,28] (no input grad), w[32,1,3,3]
  const x = randn([64, 1, 28, 28]); const w = randn([32, 1, 3, 3]).requiresGrad_(true); const b = randn([32]).requiresGrad_(true);
  const g = randn([64, 32, 26, 26]);
  bench('cnn conv1', () => ({ y: conv2d(x, w, b), g }));
}
{ const x = randn([64, 32, 13, 13]).requiresGrad_(true); const w = randn([64, 32, 3, 3]).requiresGrad_(true); const b = randn([64]).requiresGrad_(true);
  const g = randn([64, 64, 11, 11]);
  bench('cnn conv2', () => ({ y: conv2d(x, w, b), g, after: () => { x.grad = null; } }));
}
{ const x = randn([64, 32, 26, 26]).relu().detach().requiresGrad_(true); const g = randn([64, 32, 13, 13]);
  bench('cnn maxpool1', () => ({ y: maxPool2d(x, 2), g, after: () => { x.grad = null; } }));
}
{ const x = randn([64, 64, 11, 11]).detach().requiresGrad_(true); const g = randn([64, 64, 5, 5]);
  bench('cnn maxpool2', () => ({ y: maxPool2d(x, 2), g, after: () => { x.grad = null; } }));
}
{ const x = randn([32, 32, 32, 32]).requiresGrad_(true); const g = ones([32, 32, 16, 16]);
  bench('maxpool2d_fwd_bwd', () => ({ y: maxPool2d(x, 2, { stride: 2 }), g, after: () => { x.grad = null; } }));
  bench('avgpool2d_fwd_bwd', () => ({ y: avgPool2d(x, 3, { stride: 2, padding: 1 }), g, after: () => { x.grad = null; } }));
}
{ const x = randn([32, 16, 32, 32]).requiresGrad_(true); const w = randn([32, 16, 3, 3]).requiresGrad_(true); const b = randn([32]).requiresGrad_(true);
  const g = ones([32, 32, 32, 32]);
  bench('conv2d_fwd_bwd', () => ({ y: conv2d(x, w, b, { padding: 1 }), g, after: () => { x.grad = null; w.grad = null; b.grad = null; } }));
}
{ const x = randn([32, 64, 256]).requiresGrad_(true); const w = randn([64, 64, 5]).requiresGrad_(true); const b = randn([64]).requiresGrad_(true);
  const g = ones([32, 64, 256]);
  bench('conv1d_fwd_bwd', () => ({ y: conv1d(x, w, b, { padding: 2 }), g, after: () => { x.grad = null; w.grad = null; b.grad = null; } }));
}
{ const x = randn([4, 8, 16, 32, 32]).requiresGrad_(true); const w = randn([16, 8, 3, 3, 3]).requiresGrad_(true); const b = randn([16]).requiresGrad_(true);
  const g = ones([4, 16, 16, 32, 32]);
  bench('conv3d_fwd_bwd', () => ({ y: conv3d(x, w, b, { padding: 1 }), g, after: () => { x.grad = null; w.grad = null; b.grad = null; } }), 6);
}
