import '@strata/autograd';
import { maxPool2d, avgPool2d } from '@strata/layers-conv';
import { Tensor, ones } from '@strata/tensor';
const n = 32 * 32 * 32 * 32;
const data = new Float32Array(n); for (let i = 0; i < n; i++) data[i] = Math.sin(i * 1.2345) ;
const xg = Tensor.fromData(data.slice(), [32, 32, 32, 32]).requiresGrad_(true);
const up = ones([32, 32, 16, 16]);
const which = process.argv[2];
for (let i = 0; i < 200; i++) { xg.grad = null; (which === 'avg' ? avgPool2d(xg, 3, { stride: 2, padding: 1 }) : maxPool2d(xg, 2)).backward(up); }
