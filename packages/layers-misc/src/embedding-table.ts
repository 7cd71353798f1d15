/**
 * What `Embedding` and `EmbeddingBag` share: the learnable table, the
 * lookup options PyTorch gives both, PyTorch's initialization, and how
 * `fromPretrained` hands a given weight to the constructor.
 */
import { noGrad } from '@strata/autograd';
import { Module, Parameter, normal_ } from '@strata/module';
import { type Tensor, empty } from '@strata/tensor';
import { checkWeight } from './embedding-checks.js';
import { type ResolvedEmbeddingOptions, checkBoolean, checkSize } from './options.js';

/** The tensor a `fromPretrained` hands to the constructor it calls (never set otherwise). */
let pretrainedWeight: Tensor | null = null;

/** The base of `Embedding` and `EmbeddingBag`: a table `[numEmbeddings, embeddingDim]` and its options. */
export abstract class EmbeddingTable<Options extends ResolvedEmbeddingOptions> extends Module {
  /** The number of rows of the table: indices must lie in [0, numEmbeddings). PyTorch's `num_embeddings`. */
  readonly numEmbeddings: number;
  /** The size of each row, the last dimension of the output (PyTorch's `embedding_dim`). */
  readonly embeddingDim: number;
  /** The padding row, made non-negative (PyTorch's `padding_idx`), or `null`. */
  readonly paddingIdx: number | null;
  /**
   * Looked-up rows whose `normType`-norm exceeds this are rescaled to it,
   * in place in `weight`; `null` for none (PyTorch's `max_norm`).
   */
  readonly maxNorm: number | null;
  /** The p of the p-norm that `maxNorm` bounds (PyTorch's `norm_type`, 2 by default). */
  readonly normType: number;
  /**
   * Whether each row's gradient is divided by how often its index
   * occurs in the batch (PyTorch's `scale_grad_by_freq`).
   */
  readonly scaleGradByFreq: boolean;
  /**
   * PyTorch's `sparse` option. Strata's gradient is always dense: the rows
   * that were not looked up hold zeros (see `EmbeddingOptions.sparse`).
   */
  readonly sparse: boolean;
  /** The learnable table `[numEmbeddings, embeddingDim]`. */
  weight: Parameter;
  /** The constructor's options, checked and frozen (`paddingIdx` made non-negative, −1 for none). */
  protected readonly options: Options;

  /**
   * Checks the sizes, then resolves the options with `resolve`; takes the
   * weight `fromPretrained` handed over, or makes one with PyTorch's init.
   * @throws RangeError for sizes that are not non-negative integers, or invalid options.
   */
  protected constructor(layer: string, numEmbeddings: number, embeddingDim: number, resolve: (numEmbeddings: number) => Options) {
    super();
    const given = pretrainedWeight;
    pretrainedWeight = null;
    this.numEmbeddings = checkSize(layer, 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkSize(layer, 'embeddingDim', embeddingDim);
    this.options = resolve(numEmbeddings);
    this.paddingIdx = this.options.paddingIdx < 0 ? null : this.options.paddingIdx;
    this.maxNorm = this.options.maxNorm;
    this.normType = this.options.normType;
    this.scaleGradByFreq = this.options.scaleGradByFreq;
    this.sparse = this.options.sparse;
    this.weight = new Parameter(given ?? empty([numEmbeddings, embeddingDim]));
    if (given === null) this.resetParameters();
  }

  /** PyTorch's initialization: the weight from N(0, 1), the padding row zeroed. */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.weight.select(0, this.paddingIdx);
      noGrad(() => row.zero_());
    }
  }
}

/**
 * `fromPretrained`'s shared part: checks `embeddings` and `freeze`, has
 * `construct` build the layer around `embeddings` itself (shared, not
 * copied), and freezes it unless `freeze` is false.
 * @throws ShapeError for a weight that is not 2-D; DTypeError for an integer one.
 * @throws RangeError for an invalid `freeze` (and whatever `construct` throws).
 */
export function fromPretrainedTable<Layer extends EmbeddingTable<ResolvedEmbeddingOptions>>(
  owner: string,
  embeddings: Tensor,
  freeze: boolean,
  construct: (numEmbeddings: number, embeddingDim: number) => Layer,
): Layer {
  checkWeight(owner, embeddings);
  const trainable = !checkBoolean(owner, 'freeze', freeze);
  pretrainedWeight = embeddings;
  let layer: Layer;
  try {
    layer = construct(embeddings.shape[0]!, embeddings.shape[1]!);
  } finally {
    pretrainedWeight = null;
  }
  layer.weight.requiresGrad = trainable;
  return layer;
}
