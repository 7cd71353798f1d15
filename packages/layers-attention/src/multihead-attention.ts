/**
 * `MultiheadAttention`, like PyTorch's `nn.MultiheadAttention` and
 * `F.multi_head_attention_forward`: the same parameters under the same
 * names (`in_proj_weight` or `q_proj_weight`/`k_proj_weight`/`v_proj_weight`,
 * `in_proj_bias`, `bias_k`, `bias_v`, `out_proj.weight`, `out_proj.bias`),
 * the same initialization and the same masks.
 *
 * The heads are computed together: the projections are single products over
 * the whole sequence and batch (one `[L·N, 3E]` product for self-attention),
 * and the attention itself two batched products over all `N·numHeads` heads.
 */
import { Linear, linear } from '@strata/layers-misc';
import { Module, Parameter, constant_, xavierNormal_, xavierUniform_ } from '@strata/module';
import { type Tensor, cat, checkOptionNames, describeValue, empty, zeros } from '@strata/tensor';
import { type AttentionLayout, attentionFloatMask, checkAttentionInputs, keyPaddingFloatMask } from './attention-checks.js';
import { type MultiheadAttentionOptions, type ResolvedMultiheadAttentionOptions, checkSize, resolveMultiheadAttentionOptions } from './options.js';
import { mergeHeads, splitHeads } from './heads.js';
import { attend } from './scaled-dot-product-attention.js';

/**
 * The output projection of `MultiheadAttention`: a `Linear` under PyTorch's
 * class name, so that printouts match PyTorch's.
 */
export class NonDynamicallyQuantizableLinear extends Linear {
  override getName(): string {
    return 'NonDynamicallyQuantizableLinear';
  }
}

/** Options of `MultiheadAttention.forward`. */
export interface MultiheadAttentionForwardOptions {
  /**
   * `[N, S]` (or `[S]` unbatched): bool, `true` for a key to ignore (padding), or float, added to the scores.
   * @defaultValue `null`
   */
  keyPaddingMask?: Tensor | null;
  /**
   * Whether to return the attention weights.
   * @defaultValue `true`
   */
  needWeights?: boolean;
  /**
   * `[L, S]` or `[N·numHeads, L, S]`: bool, `true` where attention is not allowed, or float, added to the scores.
   * @defaultValue `null`
   */
  attnMask?: Tensor | null;
  /**
   * Whether the returned weights are averaged over the heads (`[N, L, S]`) instead of per head (`[N, numHeads, L, S]`).
   * @defaultValue `true`
   */
  averageAttnWeights?: boolean;
  /**
   * A hint that `attnMask` is the causal mask, as in PyTorch (which then
   * requires `attnMask`); the mask given is what is applied.
   * @defaultValue `false`
   */
  isCausal?: boolean;
}

const FORWARD_OPTION_NAMES = ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal'];

/** Appends one zero column to a mask's last dimension (the appended key or value is not masked). */
function padMask(mask: Tensor | null): Tensor | null {
  if (mask === null) return null;
  return cat([mask, zeros([...mask.shape.slice(0, -1), 1], { dtype: mask.dtype })], -1);
}

/**
 * Multi-head attention, like `torch.nn.MultiheadAttention`:
 * `MultiHead(Q, K, V) = Concat(head₁, …, head_h) · W_Oᵀ + b_O` with
 * `headᵢ = softmax((Q·W_Qᵢᵀ)(K·W_Kᵢᵀ)ᵀ / √(E/h) + mask) · (V·W_Vᵢᵀ)`.
 *
 * **Shape:** query `[L, N, E]` (`[N, L, E]` with `batchFirst`, `[L, E]`
 * unbatched), key `[S, N, kdim]`, value `[S, N, vdim]`; output like the
 * query; weights `[N, L, S]` (averaged) or `[N, numHeads, L, S]` (`S` grows by
 * one with `addBiasKv` and one with `addZeroAttn`).
 *
 * **Parameters:** `in_proj_weight [3E, E]` (or, when `kdim` or `vdim`
 * differs from `E`, `q_proj_weight [E, E]`, `k_proj_weight [E, kdim]`,
 * `v_proj_weight [E, vdim]`), Xavier-uniform; `in_proj_bias [3E]` and
 * `out_proj.bias [E]`, zeros; `out_proj.weight [E, E]`, Linear's Kaiming
 * uniform; `bias_k`, `bias_v` `[1, 1, E]`, Xavier-normal.
 *
 * @example
 * ```ts
 * const mha = new MultiheadAttention(64, 8, { batchFirst: true });
 * const x = randn([2, 10, 64]);
 * const [output, weights] = mha.forward(x, x, x);  // [2, 10, 64], [2, 10, 10]
 * ```
 */
export class MultiheadAttention extends Module {
  /** The number of features of the query and the output (`E`). */
  readonly embedDim: number;
  /** The number of features of the key. */
  readonly kdim: number;
  /** The number of features of the value. */
  readonly vdim: number;
  /** The number of heads; each one sees `E / numHeads` features. */
  readonly numHeads: number;
  /** The number of features per head. */
  readonly headDim: number;
  /** The dropout probability of the attention weights (training mode). */
  readonly dropout: number;
  /** Whether inputs and outputs are `[N, L, E]`. */
  readonly batchFirst: boolean;
  /** Whether a zero key and value are appended. */
  readonly addZeroAttn: boolean;
  /** Whether the query, key and value have `E` features each, so that one packed `in_proj_weight` projects them. */
  readonly qkvSameEmbedDim: boolean;
  /** The options as resolved at construction. */
  protected readonly options: ResolvedMultiheadAttentionOptions;

  /**
   * @throws RangeError for a size that is not a positive integer, an
   * `embedDim` not divisible by `numHeads`, or a bad option.
   */
  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const name = 'MultiheadAttention';
    this.embedDim = checkSize(name, 'embedDim', embedDim);
    this.numHeads = checkSize(name, 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) {
      throw new RangeError(`${name}: embedDim must be divisible by numHeads, got embedDim ${embedDim} and numHeads ${numHeads}`);
    }
    const resolved = resolveMultiheadAttentionOptions(name, embedDim, options);
    this.options = resolved;
    this.kdim = resolved.kdim;
    this.vdim = resolved.vdim;
    this.headDim = embedDim / numHeads;
    this.dropout = resolved.dropout;
    this.batchFirst = resolved.batchFirst;
    this.addZeroAttn = resolved.addZeroAttn;
    this.qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    if (this.qkvSameEmbedDim) {
      this.registerParameter('in_proj_weight', new Parameter(empty([3 * embedDim, embedDim])));
    } else {
      this.registerParameter('q_proj_weight', new Parameter(empty([embedDim, embedDim])));
      this.registerParameter('k_proj_weight', new Parameter(empty([embedDim, this.kdim])));
      this.registerParameter('v_proj_weight', new Parameter(empty([embedDim, this.vdim])));
    }
    this.registerParameter('in_proj_bias', resolved.bias ? new Parameter(empty([3 * embedDim])) : null);
    // PyTorch builds out_proj (drawing its Kaiming init) before it initializes in_proj: same order here.
    const outProj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias: resolved.bias });
    this.registerParameter('bias_k', resolved.addBiasKv ? new Parameter(empty([1, 1, embedDim])) : null);
    this.registerParameter('bias_v', resolved.addBiasKv ? new Parameter(empty([1, 1, embedDim])) : null);
    this.registerModule('out_proj', outProj);
    this.resetParameters();
  }

  /** The output projection (PyTorch's `out_proj`). */
  get outProjection(): NonDynamicallyQuantizableLinear {
    return this.getSubmodule('out_proj') as NonDynamicallyQuantizableLinear;
  }

  /** The parameter `name`, or null when this configuration does not have it. */
  private optionalParameter(name: string): Parameter | null {
    return this.namedParameters('', false).find(([key]) => key === name)?.[1] ?? null;
  }

  /**
   * PyTorch's `_reset_parameters`: Xavier-uniform projections, zero
   * `in_proj_bias` and `out_proj.bias`, Xavier-normal `bias_k` and `bias_v`
   * (`out_proj.weight` keeps its Linear initialization).
   */
  resetParameters(): void {
    for (const name of this.qkvSameEmbedDim ? ['in_proj_weight'] : ['q_proj_weight', 'k_proj_weight', 'v_proj_weight']) {
      xavierUniform_(this.getParameter(name));
    }
    const inProjBias = this.optionalParameter('in_proj_bias');
    if (inProjBias !== null) {
      constant_(inProjBias, 0);
      constant_(this.outProjection.bias!, 0);
    }
    for (const name of ['bias_k', 'bias_v']) {
      const parameter = this.optionalParameter(name);
      if (parameter !== null) xavierNormal_(parameter);
    }
  }

  /** The shapes and dtype a call is checked against. */
  private layout(): AttentionLayout {
    return {
      name: 'MultiheadAttention', embedDim: this.embedDim, kdim: this.kdim, vdim: this.vdim, numHeads: this.numHeads,
      batchFirst: this.batchFirst, dtype: this.outProjection.weight.dtype,
    };
  }

  /**
   * Attends from `query` to `key`, reading `value`; returns the output and
   * the attention weights (or null when `needWeights` is false).
   * @throws TypeError when an input or a mask is not a tensor, or `options` is not an object.
   * @throws ShapeError for inputs whose ranks, feature sizes, lengths or batch sizes do not fit, or masks of the wrong shape.
   * @throws DTypeError for inputs of another dtype than the parameters, or masks neither bool nor float.
   * @throws RangeError for an unknown option, or `isCausal` without `attnMask`.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const layout = this.layout();
    const name = layout.name;
    checkOptionNames(name, options, FORWARD_OPTION_NAMES);
    const sizes = checkAttentionInputs(layout, query, key, value);
    const needWeights = booleanOption(name, 'needWeights', options.needWeights ?? true);
    const averageAttnWeights = booleanOption(name, 'averageAttnWeights', options.averageAttnWeights ?? true);
    const isCausal = booleanOption(name, 'isCausal', options.isCausal ?? false);
    let attnMask = attentionFloatMask(layout, sizes, options.attnMask);
    let keyPaddingMask = keyPaddingFloatMask(layout, sizes, options.keyPaddingMask);
    if (isCausal && attnMask === null) {
      throw new RangeError(`${name}: need attnMask if specifying the isCausal hint (Transformer.generateSquareSubsequentMask makes one)`);
    }
    const { batched, length, batch } = sizes;
    const E = this.embedDim;
    const heads = this.numHeads;
    // Work batch-first, [N, L, E], whatever the layout given: the heads then split off with one pass (heads.ts).
    const toBatchFirst = (x: Tensor): Tensor => (!batched ? x.unsqueeze(0) : this.batchFirst ? x : x.transpose(0, 1));
    const [q0, k0, v0] = [toBatchFirst(query), toBatchFirst(key), toBatchFirst(value)];
    const inProjBias = this.optionalParameter('in_proj_bias');
    const biasPart = (index: number): Tensor | null => (inProjBias === null ? null : inProjBias.narrow(0, index * E, E));
    const biasK = this.optionalParameter('bias_k');
    const biasV = this.optionalParameter('bias_v');
    const selfAttention = this.qkvSameEmbedDim && query === key && key === value;
    let q: Tensor;
    let k: Tensor;
    let v: Tensor;
    if (selfAttention && biasK === null) {
      // Self-attention: one product for the three projections, split into heads in one pass.
      [q, k, v] = splitHeads(linear(q0, this.getParameter('in_proj_weight'), inProjBias), 3, heads) as [Tensor, Tensor, Tensor];
    } else {
      const weights = this.qkvSameEmbedDim
        ? [0, 1, 2].map((i) => this.getParameter('in_proj_weight').narrow(0, i * E, E))
        : ['q_proj_weight', 'k_proj_weight', 'v_proj_weight'].map((w) => this.getParameter(w));
      const projected = [q0, k0, v0].map((x, i) => linear(x, weights[i]!, biasPart(i)));
      const qProjected = projected[0]!;
      let kProjected = projected[1]!;
      let vProjected = projected[2]!;
      if (biasK !== null && biasV !== null) {
        kProjected = cat([kProjected, biasK.expand([batch, 1, E])], 1);
        vProjected = cat([vProjected, biasV.expand([batch, 1, E])], 1);
        attnMask = padMask(attnMask);
        keyPaddingMask = padMask(keyPaddingMask);
      }
      [q, k, v] = [qProjected, kProjected, vProjected].map((x) => splitHeads(x, 1, heads)[0]!) as [Tensor, Tensor, Tensor];
    }
    if (this.addZeroAttn) {
      const zero = zeros([batch, heads, 1, this.headDim], { dtype: k.dtype });
      k = cat([k, zero], 2);
      v = cat([v, zero], 2);
      attnMask = padMask(attnMask);
      keyPaddingMask = padMask(keyPaddingMask);
    }
    const sourceLength = k.shape[2]!;
    // PyTorch's 3-D masks are [N·heads, L, S] with the head varying fastest: [N, heads, L, S] here.
    const mask = attnMask === null || attnMask.shape[0] === 1 ? attnMask : attnMask.reshape([batch, heads, length, sourceLength]);
    // The key-padding mask stays [N, 1, 1, S]: attend adds both masks row by row, never summing them into a big temporary.
    const perSample = keyPaddingMask === null ? null : keyPaddingMask.reshape([batch, 1, 1, sourceLength]);
    const dropoutP = this.training ? this.dropout : 0;
    const [attended, weights] = attend(q, k, v, mask, 1 / Math.sqrt(this.headDim), dropoutP, perSample, needWeights);
    const outProj = this.outProjection;
    const output = linear(mergeHeads(attended), outProj.weight, outProj.bias);
    const returnedOutput = !batched ? output.squeeze(0) : this.batchFirst ? output : output.transpose(0, 1);
    if (!needWeights) return [returnedOutput, null];
    // attend returns the weights whenever they are asked for.
    const returned = averageAttnWeights ? weights!.sum(1).div(heads) : weights!;
    return [returnedOutput, batched ? returned : returned.squeeze(0)];
  }

  override getName(): string {
    return 'MultiheadAttention';
  }
}

/** @throws RangeError when `value` is not a boolean. */
function booleanOption(name: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new RangeError(`${name}: ${option} must be a boolean, got ${describeValue(value)}`);
  return value;
}
