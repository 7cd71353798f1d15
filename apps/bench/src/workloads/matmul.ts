import { Tensor, matmul } from '@strata/tensor';
import { seededNormal } from '../inputs.js';
import { jaxArray, jaxRunner, readJax } from '../peers/jax.js';
import { type Tfjs, type Workload, defineWorkload } from '../workload.js';

interface MatmulInputs {
  n: number;
  a: Float32Array;
  b: Float32Array;
}

/** A·B for square [n, n] float32 matrices: 2n³ floating-point operations. */
function squareMatmul(n: number): Workload {
  return defineWorkload<MatmulInputs>({
    id: `matmul_${n}`,
    summary: `A·B, A and B [${n}, ${n}] float32`,
    flop: 2 * n ** 3,
    setup: () => ({ n, a: seededNormal(n * n, 1), b: seededNormal(n * n, 2) }),
    strata: ({ a, b }) => {
      const left = Tensor.fromData(a.slice(), [n, n]);
      const right = Tensor.fromData(b.slice(), [n, n]);
      let result: Tensor | null = null;
      return {
        run: () => {
          result = matmul(left, right);
        },
        output: () => Float32Array.from(result!.contiguousData()),
      };
    },
    tfjs: (tf: Tfjs, { a, b }) => {
      const left = tf.tensor2d(a, [n, n], 'float32');
      const right = tf.tensor2d(b, [n, n], 'float32');
      let result: ReturnType<Tfjs['matMul']> | null = null;
      return {
        run: () => {
          result?.dispose();
          // The cpu and wasm backends compute eagerly: the product is done when matMul returns.
          result = tf.matMul(left, right);
        },
        output: () => Float32Array.from(result!.dataSync()),
        dispose: () => {
          result?.dispose();
          left.dispose();
          right.dispose();
        },
      };
    },
    jax: (jax, { a, b }) => {
      const left = jaxArray(jax, a, [n, n]);
      const right = jaxArray(jax, b, [n, n]);
      const product = jax.jit((x: typeof left, y: typeof left) => jax.numpy.matmul(x, y));
      return jaxRunner(jax, () => product(left.ref, right.ref), readJax, [left, right]);
    },
  });
}

/** matmul_256, matmul_512, matmul_1024 of WORKLOADS.md. */
export const matmulWorkloads: readonly Workload[] = [squareMatmul(256), squareMatmul(512), squareMatmul(1024)];
