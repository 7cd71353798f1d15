import { describe, expect, it } from 'vitest';
import { kernelOf } from '../../registry.js';
import { getNumThreads, setNumThreads } from '../../threads/num-threads.js';
import { setThreadMinMultiplyAdds } from './gemm-plan.js';
import { pipelinedProducts, setPipelinePieceRows } from './gemm-pipelined.js';
import { Tensor } from '../../tensor.js';
import { seededRandom } from '../../kernels/gemm-test-support.js';
import '../../index.js';

/**
 * The wasm `gemm` writes a bias straight into wasm memory (one row or
 * column, then doubling copies) and leaves new outputs unfilled; these
 * check that every bias shape, every batch, every depth block and every
 * thread split gets the reference's result, bias included (once), with no
 * element left unwritten.
 */
const wasmGemm = kernelOf('gemm', 'wasm')!;
const cpuGemm = kernelOf('gemm', 'cpu')!;

function tensor(shape: number[], seed: number): Tensor {
  const random = seededRandom(seed);
  const size = shape.reduce((product, length) => product * length, 1);
  return Tensor.fromData(Float32Array.from({ length: size }, () => random() * 2 - 1), shape);
}

function expectClose(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  const got = actual.contiguousData();
  const want = expected.contiguousData();
  for (let index = 0; index < want.length; index++) {
    if (Math.abs(got[index]! - want[index]!) > 1e-4 * (1 + Math.abs(want[index]!))) {
      expect.fail(`element ${index}: ${got[index]} against the reference's ${want[index]}`);
    }
  }
}

describe('wasm gemm epilogue', () => {
  const [batch, m, k, n] = [5, 37, 29, 43];
  const a = tensor([batch, m, k], 1);
  const b = tensor([batch, k, n], 2);
  const biases: [string, Tensor][] = [
    ['a scalar', tensor([], 3)],
    ['[n], one per column', tensor([n], 4)],
    ['[1, n]', tensor([1, n], 5)],
    ['[m, 1], one per row', tensor([m, 1], 6)],
    ['[m, n]', tensor([m, n], 7)],
    ['a transposed [m, n] view', tensor([n, m], 8).transpose(0, 1)],
  ];

  for (const [label, bias] of biases) {
    it(`writes ${label} bias into every product of a new output`, () => {
      expectClose(wasmGemm(a, b, { bias }), cpuGemm(a, b, { bias }));
    });

    it(`adds ${label} bias onto an output it accumulates into, then applies ReLU`, () => {
      const start = tensor([batch, m, n], 9);
      const wasmOut = Tensor.fromData(start.contiguousData().slice(), [batch, m, n]);
      const cpuOut = Tensor.fromData(start.contiguousData().slice(), [batch, m, n]);
      wasmGemm(a, b, { bias, out: wasmOut, accumulate: true, activation: 'relu' });
      cpuGemm(a, b, { bias, out: cpuOut, accumulate: true, activation: 'relu' });
      expectClose(wasmOut, cpuOut);
    });
  }

  it('adds a bias once over several depth blocks and over the threads\' tiles', () => {
    // k = 600 is three depth blocks; 300×300 outputs are split into tiles over two threads.
    const x = tensor([300, 600], 15);
    const y = tensor([600, 300], 16);
    const threads = getNumThreads();
    const previous = setThreadMinMultiplyAdds(0);
    try {
      for (const count of [1, 2]) {
        setNumThreads(count);
        for (const bias of [tensor([300], 17), tensor([300, 1], 18)]) expectClose(wasmGemm(x, y, { bias }), cpuGemm(x, y, { bias }));
        // A batch of products shared out whole: batchTask's path.
        const xs = tensor([9, 20, 600], 19);
        const ys = tensor([9, 600, 36], 20);
        for (const bias of [tensor([36], 21), tensor([20, 1], 22)]) expectClose(wasmGemm(xs, ys, { bias }), cpuGemm(xs, ys, { bias }));
      }
    } finally {
      setThreadMinMultiplyAdds(previous);
      setNumThreads(threads);
    }
  });

  it('starts each piece of a product cut into pieces of rows from its rows of the bias', () => {
    const x = tensor([300, 600], 23);
    const y = tensor([600, 300], 24);
    const threads = getNumThreads();
    const previous = setThreadMinMultiplyAdds(0);
    const previousRows = setPipelinePieceRows(64);
    const piped = pipelinedProducts();
    try {
      setNumThreads(2);
      for (const bias of [tensor([300], 25), tensor([300, 1], 26), tensor([300, 300], 27)]) {
        expectClose(wasmGemm(x, y, { bias }), cpuGemm(x, y, { bias }));
      }
      const start = tensor([300, 300], 28);
      const wasmOut = Tensor.fromData(start.contiguousData().slice(), [300, 300]);
      const cpuOut = Tensor.fromData(start.contiguousData().slice(), [300, 300]);
      wasmGemm(x, y, { out: wasmOut, accumulate: true });
      cpuGemm(x, y, { out: cpuOut, accumulate: true });
      expectClose(wasmOut, cpuOut);
    } finally {
      setPipelinePieceRows(previousRows);
      setThreadMinMultiplyAdds(previous);
      setNumThreads(threads);
    }
    expect(pipelinedProducts() - piped).toBe(4);
  });

  it('fills every element of a large new output (which Node leaves uninitialized) with the product', () => {
    const x = tensor([300, 256], 10);
    const y = tensor([256, 300], 11);
    // Twice: the second output may reuse memory the first one freed.
    for (let round = 0; round < 2; round++) expectClose(wasmGemm(x, y), cpuGemm(x, y));
  });

  it('starts a new output it is told to accumulate into from zeros', () => {
    const x = tensor([300, 256], 13);
    const y = tensor([256, 300], 14);
    // Freed memory full of ones that an unfilled output could reuse.
    for (let round = 0; round < 4; round++) new Float32Array(300 * 300).fill(1);
    expectClose(wasmGemm(x, y, { accumulate: true }), cpuGemm(x, y));
  });

  it('rejects a bias that does not broadcast before allocating anything', () => {
    expect(() => wasmGemm(a, b, { bias: tensor([m + 1], 12) })).toThrow(/expected a bias broadcastable to \[37, 43\], got \[38\]/);
  });
});
