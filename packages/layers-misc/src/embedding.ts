/**
 * Embedding lookup tables: the functional op `embedding` and the layer
 * `Embedding`, like PyTorch's `F.embedding` and `nn.Embedding`.
 *
 * The gradient is a scatter-add of the output's rows into a table of zeros
 * (its cost follows the number of indices), and is differentiable itself:
 * its own gradient is a lookup.
 */
import { type OpContext, defineOp, noGrad } from '@strata/autograd';
import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { checkIndices, checkWeight, renormalizeRows } from './embedding-checks.js';
import { EmbeddingTable, fromPretrainedTable } from './embedding-table.js';
import { embeddingBackwardKernel, embeddingKernel, embeddingRowFactorsKernel } from './kernels/embedding.js';
import {
  type EmbeddingFromPretrainedOptions,
  type EmbeddingOptions,
  type ResolvedEmbeddingOptions,
  resolveEmbeddingOptions,
} from './options.js';
import { COMPOSITE_BACKEND, embeddingBackwardComposite } from './reference-backward.js';
import { formatPythonBool, formatPythonFloat } from '@strata/module';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** The rows of `weight` [V, D] at the int32 `indices` (any shape, in range) → [...indices.shape, D]. */
    embedding: (weight: Tensor, indices: Tensor) => Tensor;
    /** The scatter-add of `gradOutput`'s rows into zeros [numWeights, D], skipping `paddingIdx` (−1: none), scaled by 1 / count with `scaleGradByFreq`. */
    embeddingBackward: (gradOutput: Tensor, indices: Tensor, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean) => Tensor;
    /** The factor each index's gradient row gets in `embeddingBackward`, shaped [...indices.shape, 1]. */
    embeddingRowFactors: (
      indices: Tensor, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean, dtype: 'float32' | 'float64',
    ) => Tensor;
  }
}

registerKernel('embedding', embeddingKernel);
// The default composed of forward ops, then the fused CPU loop over it.
registerKernel('embeddingBackward', embeddingBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('embeddingBackward', embeddingBackwardKernel, { override: true });
registerKernel('embeddingRowFactors', embeddingRowFactorsKernel);

/** What the lookup's backward needs besides the indices. */
interface LookupSettings {
  readonly numWeights: number;
  readonly paddingIdx: number;
  readonly scaleGradByFreq: boolean;
}

const lookup: (weight: Tensor, indices: Tensor, settings: LookupSettings) => Tensor = defineOp({
  name: 'embedding',
  forward(ctx: OpContext<{ settings: LookupSettings }>, weight: Tensor, indices: Tensor, settings: LookupSettings) {
    ctx.saveForBackward(indices);
    ctx.state.settings = settings;
    return getKernel('embedding')(weight, indices);
  },
  backward(ctx, gradOutput) {
    const [indices] = ctx.savedTensors as [Tensor];
    return [ctx.needsInputGrad[0] ? lookupBackward(gradOutput, indices, ctx.state.settings) : null, null, null];
  },
});

/** The scatter-add as an op, linear in `gradOutput`: its gradient looks the rows up again, times each index's factor. */
const lookupBackward: (gradOutput: Tensor, indices: Tensor, settings: LookupSettings) => Tensor = defineOp({
  name: 'embeddingBackward',
  forward(ctx: OpContext<{ settings: LookupSettings }>, gradOutput: Tensor, indices: Tensor, settings: LookupSettings) {
    ctx.saveForBackward(indices);
    ctx.state.settings = settings;
    const { numWeights, paddingIdx, scaleGradByFreq } = settings;
    return getKernel('embeddingBackward')(gradOutput, indices, numWeights, paddingIdx, scaleGradByFreq);
  },
  backward(ctx, gradGradWeight) {
    if (!ctx.needsInputGrad[0]) return [null, null, null];
    const [indices] = ctx.savedTensors as [Tensor];
    const { numWeights, paddingIdx, scaleGradByFreq } = ctx.state.settings;
    const rows = lookup(gradGradWeight, indices, { numWeights, paddingIdx: -1, scaleGradByFreq: false });
    if (paddingIdx < 0 && !scaleGradByFreq) return [rows, null, null];
    const dtype = gradGradWeight.dtype as 'float32' | 'float64';
    return [rows.mul(getKernel('embeddingRowFactors')(indices, numWeights, paddingIdx, scaleGradByFreq, dtype)), null, null];
  },
});

/**
 * The checks and the computation of `embedding` and `Embedding.forward`
 * (`name` is what messages call it): every check before the max-norm
 * renormalization writes into the weight.
 */
export function embeddingLookup(name: string, input: Tensor, weight: Tensor, options: ResolvedEmbeddingOptions): Tensor {
  checkWeight(name, weight);
  const numWeights = weight.shape[0]!;
  checkIndices(name, input, numWeights);
  if (options.maxNorm !== null) {
    const { maxNorm, normType } = options;
    noGrad(() => renormalizeRows(weight, input, maxNorm, normType));
  }
  return lookup(weight, input, { numWeights, paddingIdx: options.paddingIdx, scaleGradByFreq: options.scaleGradByFreq });
}

/**
 * Looks up rows of an embedding table, like `torch.nn.functional.embedding`:
 * `output[..., :] = weight[input[...], :]`.
 *
 * With `maxNorm`, the looked-up rows whose `normType`-norm exceeds it are
 * first rescaled to norm `maxNorm` **in place in `weight`** (without
 * recording gradients), as PyTorch's `embedding_renorm_` does. The row of
 * `paddingIdx` gets no gradient; `scaleGradByFreq` divides each row's
 * gradient by how often its index occurs in `input`.
 *
 * **Shape**: input int32 of any shape `[*]`; weight `[numEmbeddings, embeddingDim]`;
 * output `[*, embeddingDim]`.
 *
 * @throws ShapeError for a weight that is not 2-D.
 * @throws DTypeError for an index tensor that is not int32, or an integer weight.
 * @throws RangeError `embedding: index 10 is out of range for 10 embeddings`,
 * or for invalid options; nothing is renormalized then.
 *
 * @example
 * ```ts
 * const weight = randn([10, 3]);
 * embedding(tensor([[1, 2, 4, 5], [4, 3, 2, 9]], { dtype: 'int32' }), weight).shape; // [2, 4, 3]
 * ```
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  checkWeight('embedding', weight);
  return embeddingLookup('embedding', input, weight, resolveEmbeddingOptions('embedding', weight.shape[0]!, options));
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, like
 * `torch.nn.Embedding`: `forward(indices)` returns their rows.
 *
 * **Shape**: input int32 `[*]` → output `[*, embeddingDim]`.
 *
 * **Attributes**: `weight` `[numEmbeddings, embeddingDim]` from N(0, 1),
 * with the `paddingIdx` row zeroed.
 *
 * @example
 * ```ts
 * const table = new Embedding(10, 3, { paddingIdx: 0 });
 * table.forward(tensor([[0, 2, 0, 5]], { dtype: 'int32' })).shape; // [1, 4, 3]
 * table.toString(); // 'Embedding(10, 3, padding_idx=0)'
 * ```
 */
export class Embedding extends EmbeddingTable<ResolvedEmbeddingOptions> {
  /** @throws RangeError for sizes that are not non-negative integers, or invalid options. */
  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super('Embedding', numEmbeddings, embeddingDim, (rows) => resolveEmbeddingOptions('Embedding', rows, options));
  }

  /**
   * A layer whose weight is `embeddings` itself (shared, not copied), like
   * `nn.Embedding.from_pretrained`; frozen (`requiresGrad` false) unless
   * `freeze: false`. The padding row is left as it is.
   * @throws ShapeError for a weight that is not 2-D; DTypeError for an integer one.
   * @throws RangeError for invalid options.
   *
   * @example
   * ```ts
   * const table = Embedding.fromPretrained(tensor([[1, 2.3, 3], [4, 5.1, 6.3]]));
   * table.forward(tensor([1], { dtype: 'int32' })).tolist(); // [[4, 5.1, 6.3]] (as float32)
   * ```
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingFromPretrainedOptions = {}): Embedding {
    const { freeze = true, ...layerOptions } = options;
    return fromPretrainedTable('Embedding.fromPretrained', embeddings, freeze, (rows, size) => new Embedding(rows, size, layerOptions));
  }

  /**
   * @throws DTypeError for an index tensor that is not int32.
   * @throws RangeError `Embedding: index 10 is out of range for 10 embeddings`.
   */
  forward(input: Tensor): Tensor {
    return embeddingLookup('Embedding', input, this.weight, this.options);
  }

  override extraRepr(): string {
    // PyTorch's Embedding prints `sparse=True`; its EmbeddingBag does not.
    return this.sparse ? `${embeddingExtraRepr(this)}, sparse=${formatPythonBool(true)}` : embeddingExtraRepr(this);
  }
}

/** PyTorch's `Embedding.extra_repr` (also the start of `EmbeddingBag`'s): sizes, then the non-default options. */
export function embeddingExtraRepr(layer: {
  numEmbeddings: number; embeddingDim: number; paddingIdx: number | null; maxNorm: number | null; normType: number; scaleGradByFreq: boolean;
}, includePadding = true): string {
  let text = `${layer.numEmbeddings}, ${layer.embeddingDim}`;
  if (includePadding && layer.paddingIdx !== null) text += `, padding_idx=${layer.paddingIdx}`;
  if (layer.maxNorm !== null) text += `, max_norm=${formatPythonFloat(layer.maxNorm)}`;
  if (layer.normType !== 2) text += `, norm_type=${formatPythonFloat(layer.normType)}`;
  if (layer.scaleGradByFreq) text += `, scale_grad_by_freq=${formatPythonBool(true)}`;
  return text;
}
