/**
 * The checks the embedding family shares (`embedding.ts`,
 * `embedding-bag.ts`), and the max-norm renormalization both run before
 * their lookup. Everything here runs before any state changes.
 */
import { DTypeError, ShapeError, Tensor, checkTensor, formatShape, getKernel, isFloatingPoint, registerKernel } from '@strata/tensor';
import { embeddingRenormKernel } from './kernels/embedding.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /**
     * PyTorch's `embedding_renorm_`: rescales in place each distinct row of
     * `weight` named in `indices` whose `normType`-norm exceeds `maxNorm`;
     * returns how many rows it scaled.
     */
    embeddingRenorm: (weight: Tensor, indices: Tensor, maxNorm: number, normType: number) => number;
  }
}

registerKernel('embeddingRenorm', embeddingRenormKernel);

/**
 * Checks an embedding table: a 2-D float tensor.
 * @throws ShapeError `embedding: expected a 2-D weight [numEmbeddings, embeddingDim], got shape [3]`
 * @throws DTypeError for an integer or bool weight.
 */
export function checkWeight(name: string, weight: unknown): asserts weight is Tensor {
  checkTensor(name, 'weight', weight);
  if (weight.ndim !== 2) {
    throw new ShapeError(`${name}: expected a 2-D weight [numEmbeddings, embeddingDim], got shape ${formatShape(weight.shape)}`);
  }
  if (!isFloatingPoint(weight.dtype)) throw new DTypeError(`${name}: expected a floating point weight, got ${weight.dtype}`);
}

/**
 * Checks that `indices` is an int32 tensor whose every entry names a row of
 * a table of `numEmbeddings` rows.
 * @throws DTypeError `embedding: expected an int32 index tensor, got float32`
 * @throws RangeError `Embedding: index 10000 is out of range for 10000 embeddings`
 */
export function checkIndices(name: string, indices: unknown, numEmbeddings: number, argument = 'index'): asserts indices is Tensor {
  checkTensor(name, argument === 'index' ? 'input' : argument, indices);
  if (indices.dtype !== 'int32') throw new DTypeError(`${name}: expected an int32 ${argument} tensor, got ${indices.dtype}`);
  const values = indices.contiguousData();
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < 0 || value >= numEmbeddings) {
      throw new RangeError(`${name}: index ${value} is out of range for ${numEmbeddings} embeddings`);
    }
  }
}

/**
 * Renormalizes, in place and without recording gradients, the rows of
 * `weight` that `indices` names and whose norm exceeds `maxNorm` (as
 * PyTorch does before an embedding lookup with `max_norm`). Bumps the
 * weight's storage version when a row changed.
 */
export function renormalizeRows(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): void {
  if (getKernel('embeddingRenorm')(weight, indices, maxNorm, normType) > 0) weight.storage.version++;
}
