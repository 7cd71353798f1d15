import { describe, expect, it } from 'vitest';
import { relativeDifference } from '../harness.js';
import { seededNormal } from '../inputs.js';
import { borrowCpuKernels } from './borrow.js';
import { type TfjsBackendName, loadTfjs } from './tfjs.js';

describe('borrowCpuKernels', () => {
  it('lets wasm take a conv2d filter gradient with cpu’s kernel, equal to cpu’s own, and unregisters it after', async () => {
    const tfjs = await loadTfjs(['cpu', 'wasm']);
    const { tf } = tfjs;
    const x = seededNormal(2 * 7 * 6 * 3, 1);
    const filter = seededNormal(3 * 3 * 3 * 4, 2);
    const filterGradient = async (backend: TfjsBackendName): Promise<Float32Array> => {
      await tfjs.use(backend);
      const input = tf.tensor4d(x, [2, 7, 6, 3]);
      const weights = tf.tensor4d(filter, [3, 3, 3, 4]);
      const gradient = tf.grad((w) => tf.sum(tf.square(tf.conv2d(input, w as never, [2, 1], 'same'))))(weights);
      const values = Float32Array.from(gradient.dataSync());
      tf.dispose([input, weights, gradient]);
      return values;
    };
    const reference = await filterGradient('cpu');

    await tfjs.use('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const giveBack = borrowCpuKernels(tf, ['Conv2DBackpropFilter']);
    try {
      const borrowed = await filterGradient('wasm');
      expect(borrowed.length).toBe(3 * 3 * 3 * 4);
      expect(relativeDifference(borrowed, reference)).toBeLessThan(1e-5);
    } finally {
      giveBack();
    }
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });

  it('leaves a kernel wasm has alone, and fails clearly for one cpu lacks', async () => {
    const { tf } = await loadTfjs(['cpu', 'wasm']);
    const own = tf.getKernel('Conv2D', 'wasm');
    borrowCpuKernels(tf, ['Conv2D'])();
    expect(tf.getKernel('Conv2D', 'wasm')).toBe(own);
    expect(() => borrowCpuKernels(tf, ['NoSuchKernel'])).toThrow('TF.js cpu has no NoSuchKernel kernel to lend to wasm');
  });
});
