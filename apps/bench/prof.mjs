import '@strata/autograd';
import { maxPool2d, avgPool2d } from '@strata/layers-conv';
import { Tensor, ones, getKernel } from '@strata/tensor';
const n = 32 * 32 * 32 * 32;
const data = new Float32Array(n); for (let i = 0; i < n; i++) data[i] = Math.sin(i * 1.2345) ;
const x = Tensor.fromData(data, [32, 32, 32, 32]);
function time(label, fn, reps = 30) { for (let i = 0; i < 5; i++) fn(); const t = []; for (let i = 0; i < reps; i++) { const s = performance.now(); fn(); t.push(performance.now() - s); } t.sort((a, b) => a - b); console.log(label, t[reps >> 1].toFixed(2), 'ms'); }
time('maxPool fwd no grad', () => maxPool2d(x, 2));
time('avgPool fwd no grad', () => avgPool2d(x, 3, { stride: 2, padding: 1 }));
const xg = Tensor.fromData(data.slice(), [32, 32, 32, 32]).requiresGrad_(true);
const up = ones([32, 32, 16, 16]);
time('maxPool fwd+bwd', () => { xg.grad = null; maxPool2d(xg, 2).backward(up); });
time('avgPool fwd+bwd', () => { xg.grad = null; avgPool2d(xg, 3, { stride: 2, padding: 1 }).backward(up); });
const [v, idx] = maxPool2d(x, 2, { returnIndices: true });
time('scatter kernel', () => getKernel('maxPoolBackward')(up, idx, [32, 32, 32, 32], 2));
time('alloc 1M f32', () => new Float32Array(n));
