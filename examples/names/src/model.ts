/**
 * A character-level language model: embedding → one recurrent layer (an
 * Elman RNN, an LSTM or a GRU) → a linear map to the next character's logits.
 */
import { Embedding, Linear } from '@strata/layers-misc';
import { GRU, LSTM, RNN } from '@strata/layers-recurrent';
import { Module } from '@strata/module';
import type { Tensor } from '@strata/tensor';
import { VOCABULARY } from './words.js';

/** Which recurrent layer the model uses, or `gpt` for the decoder-only Transformer of gpt.ts. */
export type CellKind = 'rnn' | 'lstm' | 'gru' | 'gpt';

/**
 * The state between calls: `h` (RNN, GRU) or `[h, c]` (LSTM), or the tokens
 * read so far (the Transformer); `null` to start afresh.
 */
export type RecurrentState = Tensor | readonly [Tensor, Tensor] | null;

/** The model's sizes. */
export interface CharModelOptions {
  /** The size of each character's embedding. */
  readonly embedding: number;
  /** The hidden size of the recurrent layer. */
  readonly hidden: number;
}

/** Embedding(27, e) → RNN/LSTM/GRU(e, h, batch first) → Linear(h, 27). */
export class CharModel extends Module {
  readonly kind: CellKind;
  embed: Embedding;
  recurrent: RNN | LSTM | GRU;
  head: Linear;

  constructor(kind: Exclude<CellKind, 'gpt'>, options: CharModelOptions) {
    super();
    this.kind = kind;
    this.embed = new Embedding(VOCABULARY, options.embedding);
    const Layer = { rnn: RNN, lstm: LSTM, gru: GRU }[kind];
    this.recurrent = new Layer(options.embedding, options.hidden, { batchFirst: true });
    this.head = new Linear(options.hidden, VOCABULARY);
  }

  /** Tokens `[N, L]` → logits `[N, L, 27]` and the state after the last step. */
  forward(tokens: Tensor, state: RecurrentState = null): [Tensor, RecurrentState] {
    const embedded = this.embed.forward(tokens);
    const [output, next] = this.recurrent instanceof LSTM
      ? this.recurrent.forward(embedded, state as readonly [Tensor, Tensor] | null)
      : this.recurrent.forward(embedded, state as Tensor | null);
    return [this.head.forward(output), next];
  }
}
