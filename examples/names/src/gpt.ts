/**
 * A character-level decoder-only Transformer (a small "GPT"): token and
 * learned position embeddings → pre-norm Transformer layers with a causal
 * mask (each position sees itself and the ones before) → a final LayerNorm →
 * a linear map to the next character's logits.
 *
 * The layers are `TransformerEncoderLayer`s: a decoder-only model has no
 * encoder to attend to, so its blocks are self-attention and feed-forward
 * only, which is exactly the encoder layer run with the causal mask.
 */
import { Transformer, TransformerEncoder, TransformerEncoderLayer } from '@strata/layers-attention';
import { Embedding, Linear } from '@strata/layers-misc';
import { LayerNorm } from '@strata/layers-norm';
import { Module } from '@strata/module';
import { Tensor, arange, cat } from '@strata/tensor';
import type { RecurrentState } from './model.js';
import { VOCABULARY } from './words.js';

/** The sizes of the model. */
export interface CharTransformerOptions {
  /** The width of the model (`dModel`). */
  readonly hidden: number;
  /** The number of Transformer layers. @defaultValue 2 */
  readonly layers?: number;
  /** The number of attention heads. @defaultValue 4 */
  readonly heads?: number;
  /** The longest sequence the position embedding covers. @defaultValue 48 */
  readonly maxLength?: number;
}

/** Embedding(27, d) + positions → 2 pre-norm causal Transformer layers (4 heads, feed-forward 4d, GELU) → LayerNorm → Linear(d, 27). */
export class CharTransformer extends Module {
  readonly kind = 'gpt';
  readonly maxLength: number;
  embed: Embedding;
  position: Embedding;
  blocks: TransformerEncoder;
  norm: LayerNorm;
  head: Linear;

  constructor(options: CharTransformerOptions) {
    super();
    const width = options.hidden;
    this.maxLength = options.maxLength ?? 48;
    this.embed = new Embedding(VOCABULARY, width);
    this.position = new Embedding(this.maxLength, width);
    const layer = new TransformerEncoderLayer(width, options.heads ?? 4, {
      dimFeedforward: 4 * width, dropout: 0, activation: 'gelu', batchFirst: true, normFirst: true,
    });
    this.blocks = new TransformerEncoder(layer, options.layers ?? 2);
    this.norm = new LayerNorm(width);
    this.head = new Linear(width, VOCABULARY);
  }

  /**
   * Tokens `[N, L]` → logits `[N, L, 27]`. `context` holds the tokens read
   * before (when sampling one step at a time); the second result is the
   * context including `tokens`, to pass to the next call.
   * @throws RangeError when the sequence is longer than `maxLength`.
   */
  forward(tokens: Tensor, context: RecurrentState = null): [Tensor, Tensor] {
    if (context !== null && !(context instanceof Tensor)) throw new TypeError('CharTransformer: the context is the tokens read before, one tensor [N, L]');
    const all = context === null ? tokens : cat([context, tokens], 1);
    const length = all.shape[1]!;
    if (length > this.maxLength) throw new RangeError(`CharTransformer: sequences of at most ${this.maxLength} tokens, got ${length}`);
    const positions = arange(length, { dtype: 'int32' }).unsqueeze(0);
    const x = this.embed.forward(all).add(this.position.forward(positions));
    const mask = Transformer.generateSquareSubsequentMask(length);
    const logits = this.head.forward(this.norm.forward(this.blocks.forward(x, { mask, isCausal: true })));
    const fresh = tokens.shape[1]!;
    return [fresh === length ? logits : logits.narrow(1, length - fresh, fresh), all];
  }
}
