/**
 * Bags of embeddings: the functional op `embeddingBag` and the layer
 * `EmbeddingBag`, like PyTorch's `F.embedding_bag` and `nn.EmbeddingBag`:
 * the sum, mean or max of each bag's rows, without building the
 * per-index embeddings.
 */
import { type OpContext, defineOp, noGrad } from '@strata/autograd';
import { DTypeError, ShapeError, Tensor, checkTensor, formatShape, getKernel, registerKernel } from '@strata/tensor';
import { embeddingExtraRepr } from './embedding.js';
import { checkIndices, checkWeight, renormalizeRows } from './embedding-checks.js';
import { EmbeddingTable, fromPretrainedTable } from './embedding-table.js';
import {
  type BagMode,
  type EmbeddingBagResult,
  embeddingBagBackwardKernel,
  embeddingBagKernel,
  embeddingBagSampleWeightsBackwardKernel,
} from './kernels/embedding-bag.js';
import {
  type EmbeddingBagFromPretrainedOptions,
  type EmbeddingBagFunctionalOptions,
  type EmbeddingBagMode,
  type EmbeddingBagOptions,
  type ResolvedEmbeddingBagOptions,
  resolveEmbeddingBagOptions,
} from './options.js';
import { COMPOSITE_BACKEND, embeddingBagBackwardComposite, embeddingBagSampleWeightsBackwardComposite } from './reference-backward.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** The bags (int32 `bounds` [B + 1] into the 1-D int32 `indices`) of `weight` [V, D] reduced by `mode` → [B, D]. */
    embeddingBag: (
      weight: Tensor, indices: Tensor, bounds: Tensor, mode: 'sum' | 'mean' | 'max', perSampleWeights: Tensor | null, paddingIdx: number,
    ) => EmbeddingBagResult;
    /** The weight's gradient [numWeights, D] from the bags' gradient [B, D]. */
    embeddingBagBackward: (
      gradOutput: Tensor, indices: Tensor, bounds: Tensor, mode: 'sum' | 'mean' | 'max', perSampleWeights: Tensor | null,
      bagSizes: Tensor, maxIndices: Tensor | null, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean,
    ) => Tensor;
    /** The per-sample weights' gradient [numIndices]: each entry's bag gradient · its weight row. */
    embeddingBagSampleWeightsBackward: (gradOutput: Tensor, weight: Tensor, indices: Tensor, bounds: Tensor, paddingIdx: number) => Tensor;
  }
}

registerKernel('embeddingBag', embeddingBagKernel);
// The defaults composed of forward ops, then the fused CPU loops over them.
registerKernel('embeddingBagBackward', embeddingBagBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('embeddingBagSampleWeightsBackward', embeddingBagSampleWeightsBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('embeddingBagBackward', embeddingBagBackwardKernel, { override: true });
registerKernel('embeddingBagSampleWeightsBackward', embeddingBagSampleWeightsBackwardKernel, { override: true });

/** The checked, flattened description of the bags. */
interface BagSettings {
  readonly mode: BagMode;
  readonly paddingIdx: number;
  readonly scaleGradByFreq: boolean;
}

interface BagState {
  settings: BagSettings;
  bagSizes: Tensor;
  maxIndices: Tensor | null;
}

const bagReduction: (weight: Tensor, indices: Tensor, bounds: Tensor, perSampleWeights: Tensor | null, settings: BagSettings) => Tensor =
  defineOp({
    name: 'embeddingBag',
    forward(ctx: OpContext<BagState>, weight: Tensor, indices: Tensor, bounds: Tensor, perSampleWeights: Tensor | null, settings: BagSettings) {
      const result = getKernel('embeddingBag')(weight, indices, bounds, settings.mode, perSampleWeights, settings.paddingIdx);
      ctx.saveForBackward(weight, indices, bounds, ...(perSampleWeights === null ? [] : [perSampleWeights]));
      ctx.state.settings = settings;
      ctx.state.bagSizes = result.bagSizes;
      ctx.state.maxIndices = result.maxIndices;
      return result.output;
    },
    backward(ctx, gradOutput) {
      const [weight, indices, bounds, perSampleWeights = null] = ctx.savedTensors as [Tensor, Tensor, Tensor, Tensor?];
      const { settings, bagSizes, maxIndices } = ctx.state;
      const gradWeight = ctx.needsInputGrad[0]
        ? bagBackward(gradOutput, indices, bounds, perSampleWeights, bagSizes, maxIndices, weight.shape[0]!, settings)
        : null;
      const gradSampleWeights = ctx.needsInputGrad[3]
        ? bagSampleWeightsBackward(gradOutput, weight, indices, bounds, settings.paddingIdx)
        : null;
      return [gradWeight, null, null, gradSampleWeights, null];
    },
  });

function doubleBackwardUnsupported(name: string): never {
  throw new Error(`${name}: the gradient of the embeddingBag gradient (double backward) is not implemented`);
}

/** The weight's gradient as an op, so that a `createGraph` backward says plainly that it goes no further. */
const bagBackward = defineOp({
  name: 'embeddingBagBackward',
  forward(
    _ctx: OpContext, gradOutput: Tensor, indices: Tensor, bounds: Tensor, perSampleWeights: Tensor | null,
    bagSizes: Tensor, maxIndices: Tensor | null, numWeights: number, settings: BagSettings,
  ) {
    const { mode, paddingIdx, scaleGradByFreq } = settings;
    return getKernel('embeddingBagBackward')(
      gradOutput, indices, bounds, mode, perSampleWeights, bagSizes, maxIndices, numWeights, paddingIdx, scaleGradByFreq,
    );
  },
  backward: () => doubleBackwardUnsupported('embeddingBagBackward'),
});

const bagSampleWeightsBackward = defineOp({
  name: 'embeddingBagSampleWeightsBackward',
  forward(_ctx: OpContext, gradOutput: Tensor, weight: Tensor, indices: Tensor, bounds: Tensor, paddingIdx: number) {
    return getKernel('embeddingBagSampleWeightsBackward')(gradOutput, weight, indices, bounds, paddingIdx);
  },
  backward: () => doubleBackwardUnsupported('embeddingBagSampleWeightsBackward'),
});

/**
 * The bag boundaries [B + 1] from PyTorch's `offsets` (the start of each
 * bag; with `includeLastOffset` also the end of the last one).
 * @throws RangeError for offsets that do not start at 0, decrease, or pass the input's end.
 */
function bagBounds(name: string, offsets: Tensor, length: number, includeLastOffset: boolean): Tensor {
  const starts = offsets.contiguousData();
  if (starts.length > 0 && starts[0] !== 0) {
    throw new RangeError(
      `${name}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${starts[0]}`,
    );
  }
  for (let i = 1; i < starts.length; i++) {
    if (starts[i]! < starts[i - 1]!) {
      throw new RangeError(`${name}: offsets must be non-decreasing, got offsets[${i}] = ${starts[i]} after offsets[${i - 1}] = ${starts[i - 1]}`);
    }
  }
  if (starts.length > 0 && starts[starts.length - 1]! > length) {
    throw new RangeError(`${name}: offsets[-1] can not be greater than input's length ${length}, but got offsets[-1] of ${starts[starts.length - 1]}`);
  }
  const bags = includeLastOffset ? Math.max(starts.length - 1, 0) : starts.length;
  const bounds = new Int32Array(bags + 1);
  for (let bag = 0; bag < bags; bag++) bounds[bag] = starts[bag]!;
  bounds[bags] = includeLastOffset ? (starts[bags] ?? 0) : length;
  return Tensor.fromData(bounds, [bags + 1]);
}

/**
 * The checks and the computation of `embeddingBag` and
 * `EmbeddingBag.forward` (`name` is what messages call it): every check
 * comes before the max-norm renormalization writes into the weight.
 */
export function embeddingBagLookup(
  name: string, input: Tensor, weight: Tensor, offsets: Tensor | null, perSampleWeights: Tensor | null,
  options: ResolvedEmbeddingBagOptions,
): Tensor {
  checkWeight(name, weight);
  checkTensor(name, 'input', input);
  if (offsets !== null) checkTensor(name, 'offsets', offsets);
  if (perSampleWeights !== null) {
    checkTensor(name, 'perSampleWeights', perSampleWeights);
    if (options.mode !== 'sum') {
      throw new RangeError(`${name}: perSampleWeights is only supported for mode 'sum', got mode '${options.mode}'`);
    }
    if (formatShape(perSampleWeights.shape) !== formatShape(input.shape)) {
      throw new ShapeError(
        `${name}: perSampleWeights must have the input's shape ${formatShape(input.shape)}, got shape ${formatShape(perSampleWeights.shape)}`,
      );
    }
    if (perSampleWeights.dtype !== weight.dtype) {
      throw new DTypeError(`${name}: expected perSampleWeights of the weight's dtype ${weight.dtype}, got ${perSampleWeights.dtype}`);
    }
  }
  let bounds: Tensor;
  if (input.ndim === 2) {
    if (offsets !== null) {
      throw new ShapeError(
        `${name}: offsets has to be null for a 2-D input (each row is a bag of fixed length), got offsets of shape ${formatShape(offsets.shape)}`,
      );
    }
    const [bags, size] = input.shape as [number, number];
    bounds = Tensor.fromData(Int32Array.from({ length: bags + 1 }, (_, bag) => bag * size), [bags + 1]);
  } else if (input.ndim === 1) {
    if (offsets === null) throw new ShapeError(`${name}: offsets has to be a 1-D tensor of bag starts for a 1-D input, got null`);
    if (offsets.ndim !== 1) throw new ShapeError(`${name}: offsets has to be a 1-D tensor, got shape ${formatShape(offsets.shape)}`);
    if (offsets.dtype !== 'int32') throw new DTypeError(`${name}: expected an int32 offsets tensor, got ${offsets.dtype}`);
    bounds = bagBounds(name, offsets, input.shape[0]!, options.includeLastOffset);
  } else {
    throw new ShapeError(`${name}: input has to be a 1-D or 2-D tensor, got shape ${formatShape(input.shape)}`);
  }
  const numWeights = weight.shape[0]!;
  checkIndices(name, input, numWeights);
  const indices = input.reshape([-1]);
  if (options.maxNorm !== null) {
    const { maxNorm, normType } = options;
    noGrad(() => renormalizeRows(weight, indices, maxNorm, normType));
  }
  const sampleWeights = perSampleWeights === null ? null : perSampleWeights.reshape([-1]);
  const { mode, paddingIdx, scaleGradByFreq } = options;
  return bagReduction(weight, indices, bounds, sampleWeights, { mode, paddingIdx, scaleGradByFreq });
}

/**
 * The sums, means or maxima of bags of embedding rows, like
 * `torch.nn.functional.embedding_bag`. A 1-D `input` is split into bags at
 * `offsets` (the start of each bag; empty bags give zeros); a 2-D `input`
 * `[B, N]` is B bags of N indices (no offsets). Entries equal to
 * `paddingIdx` take no part (nor in a mean's count). `perSampleWeights`
 * (sum mode) scales each entry's row. `maxNorm` renormalizes the named rows
 * in place in `weight` first, as in {@link embedding}.
 *
 * **Shape**: input int32 `[N]` with offsets int32 `[B]` (or `[B + 1]` with
 * `includeLastOffset`), or input `[B, N]`; weight `[numEmbeddings, embeddingDim]`;
 * output `[B, embeddingDim]`.
 *
 * @throws ShapeError for inputs of another rank, offsets with a 2-D input
 * (or none with a 1-D one), or per-sample weights of another shape.
 * @throws DTypeError for index or offset tensors that are not int32.
 * @throws RangeError for an out-of-range index, bad offsets or invalid
 * options; nothing is renormalized then.
 *
 * @example
 * ```ts
 * const weight = randn([10, 3]);
 * const input = tensor([1, 2, 4, 5, 4, 3, 2, 9], { dtype: 'int32' });
 * embeddingBag(input, weight, tensor([0, 4], { dtype: 'int32' }), { mode: 'sum' }).shape; // [2, 3]
 * ```
 */
export function embeddingBag(
  input: Tensor, weight: Tensor, offsets: Tensor | null = null, options: EmbeddingBagFunctionalOptions = {},
): Tensor {
  checkWeight('embeddingBag', weight);
  const { perSampleWeights = null, ...bagOptions } = options;
  const resolved = resolveEmbeddingBagOptions('embeddingBag', weight.shape[0]!, bagOptions);
  return embeddingBagLookup('embeddingBag', input, weight, offsets, perSampleWeights, resolved);
}

/**
 * Sums, means or maxima of bags of embeddings, like `torch.nn.EmbeddingBag`
 * (see {@link embeddingBag}); `forward(input, offsets?, perSampleWeights?)`.
 *
 * **Shape**: input int32 `[N]` with offsets `[B]`, or `[B, N]` → output `[B, embeddingDim]`.
 *
 * **Attributes**: `weight` `[numEmbeddings, embeddingDim]` from N(0, 1),
 * with the `paddingIdx` row zeroed.
 *
 * @example
 * ```ts
 * const bags = new EmbeddingBag(10, 3, { mode: 'sum' });
 * const input = tensor([1, 2, 4, 5, 4, 3, 2, 9], { dtype: 'int32' });
 * bags.forward(input, tensor([0, 4], { dtype: 'int32' })).shape; // [2, 3]
 * bags.toString(); // 'EmbeddingBag(10, 3, mode=sum)'
 * ```
 */
export class EmbeddingBag extends EmbeddingTable<ResolvedEmbeddingBagOptions> {
  /** How each bag is reduced: `'sum'`, `'mean'` (the default) or `'max'` (PyTorch's `mode`). */
  readonly mode: EmbeddingBagMode;
  /**
   * Whether `offsets` has one more entry than there are bags, the
   * end of the last one (PyTorch's `include_last_offset`).
   */
  readonly includeLastOffset: boolean;

  /** @throws RangeError for sizes that are not non-negative integers, or invalid options. */
  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingBagOptions = {}) {
    super('EmbeddingBag', numEmbeddings, embeddingDim, (rows) => resolveEmbeddingBagOptions('EmbeddingBag', rows, options));
    this.mode = this.options.mode;
    this.includeLastOffset = this.options.includeLastOffset;
  }

  /**
   * A layer whose weight is `embeddings` itself (shared, not copied), like
   * `nn.EmbeddingBag.from_pretrained`; frozen unless `freeze: false`.
   * @throws ShapeError for a weight that is not 2-D; DTypeError for an integer one.
   * @throws RangeError for invalid options.
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingBagFromPretrainedOptions = {}): EmbeddingBag {
    const { freeze = true, ...layerOptions } = options;
    return fromPretrainedTable('EmbeddingBag.fromPretrained', embeddings, freeze, (rows, size) => new EmbeddingBag(rows, size, layerOptions));
  }

  /**
   * @throws ShapeError, DTypeError, RangeError for inputs that do not fit (see {@link embeddingBag}).
   */
  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return embeddingBagLookup('EmbeddingBag', input, this.weight, offsets, perSampleWeights, this.options);
  }

  /** PyTorch's `EmbeddingBag.extra_repr`: the sizes, the non-default options, the mode, then the padding row. */
  override extraRepr(): string {
    let text = `${embeddingExtraRepr(this, false)}, mode=${this.mode}`;
    if (this.paddingIdx !== null) text += `, padding_idx=${this.paddingIdx}`;
    return text;
  }
}
