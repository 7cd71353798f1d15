import '@strata/autograd';
import { maxPool2d } from '@strata/layers-conv';
import { Tensor, getKernel } from '@strata/tensor';
const n = 32 * 32 * 32 * 32;
const data = new Float32Array(n); for (let i = 0; i < n; i++) data[i] = Math.sin(i * 1.2345) ;
const x = Tensor.fromData(data, [32, 32, 32, 32]);
function time(label, fn, reps = 30) { for (let i = 0; i < 5; i++) fn(); const t = []; for (let i = 0; i < reps; i++) { const s = performance.now(); fn(); t.push(performance.now() - s); } t.sort((a, b) => a - b); console.log(label, t[reps >> 1].toFixed(2), 'ms'); }
const geometry = Object.freeze({ inputSize: [32, 32], outputSize: [16, 16], kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1 });
time('kernel same geometry', () => getKernel('maxPool')(x, geometry, false));
time('kernel new geometry', () => getKernel('maxPool')(x, { ...geometry }, false));
time('functional', () => maxPool2d(x, 2));
