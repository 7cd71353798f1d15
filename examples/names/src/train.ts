/**
 * Training, evaluation and sampling of a {@link CharModel}.
 */
import { noGrad } from '@strata/autograd';
import { crossEntropy } from '@strata/losses';
import { Adam, clipGradNorm } from '@strata/optim';
import { Generator, Tensor, manualSeed } from '@strata/tensor';
import { CharTransformer } from './gpt.js';
import { type CellKind, CharModel, type CharModelOptions, type RecurrentState } from './model.js';
import { ALPHABET, VOCABULARY, type WordBatch, batchesOf, encodeBatch } from './words.js';

/** What one training run does. */
export interface TrainOptions extends CharModelOptions {
  /** Passes over the training words. */
  readonly epochs: number;
  /** Words per batch. */
  readonly batchSize: number;
  /** Adam's learning rate. */
  readonly learningRate: number;
  /** The seed of the initialization and the batch order. */
  readonly seed: number;
}

/** A model of either kind: tokens `[N, L]` and a state in, logits `[N, L, 27]` and the next state out. */
export type LanguageModel = CharModel | CharTransformer;

/** The model of `kind`: the recurrent CharModel, or the Transformer of the same width for `gpt`. */
export function createModel(kind: CellKind, options: CharModelOptions): LanguageModel {
  return kind === 'gpt' ? new CharTransformer({ hidden: options.hidden }) : new CharModel(kind, options);
}

/** The loss of each epoch (the mean over its batches) and the validation loss before training and after each epoch. */
export interface TrainResult {
  readonly model: LanguageModel;
  readonly trainLoss: number[];
  readonly validationLoss: number[];
  readonly seconds: number;
}

/** The mean cross-entropy per predicted character (padding skipped). */
function lossOf(model: LanguageModel, batch: WordBatch): Tensor {
  const [logits] = model.forward(batch.inputs);
  const rows = logits.shape[0]! * logits.shape[1]!;
  return crossEntropy(logits.reshape([rows, VOCABULARY]), batch.targets.reshape([rows]));
}

/** The validation loss, per character, in evaluation mode and without gradients. */
export function evaluate(model: LanguageModel, words: readonly string[]): number {
  model.eval();
  const value = noGrad(() => lossOf(model, encodeBatch(words)).item());
  model.train();
  return value;
}

/** Trains one model of `kind` on `train` and reports its losses. */
export function trainModel(kind: CellKind, train: readonly string[], validation: readonly string[], options: TrainOptions): TrainResult {
  manualSeed(options.seed);
  const model = createModel(kind, options);
  const optimizer = new Adam(model.parameters(), { lr: options.learningRate });
  const started = performance.now();
  const trainLoss: number[] = [];
  const validationLoss = [evaluate(model, validation)];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    let total = 0;
    const batches = batchesOf(train, options.batchSize, options.seed + epoch);
    for (const batch of batches) {
      optimizer.zeroGrad();
      const loss = lossOf(model, batch);
      loss.backward();
      clipGradNorm(model.parameters(), 5);
      optimizer.step();
      total += loss.item();
    }
    trainLoss.push(total / batches.length);
    validationLoss.push(evaluate(model, validation));
  }
  return { model, trainLoss, validationLoss, seconds: (performance.now() - started) / 1000 };
}

/** Draws a token from the softmax of `logits / temperature`. */
function drawToken(logits: Float32Array | Float64Array, temperature: number, generator: Generator): number {
  const scaled = Array.from(logits, (value) => value / temperature);
  const top = Math.max(...scaled);
  const weights = scaled.map((value) => Math.exp(value - top));
  let threshold = generator.nextDouble() * weights.reduce((a, b) => a + b, 0);
  for (let token = 0; token < weights.length; token++) {
    threshold -= weights[token]!;
    if (threshold <= 0) return token;
  }
  return weights.length - 1;
}

/** Spells `count` words, one character at a time from the boundary token, up to `maxLength` letters each. */
export function sampleWords(model: LanguageModel, count: number, options: { seed: number; temperature?: number; maxLength?: number }): string[] {
  const generator = new Generator(options.seed);
  const words: string[] = [];
  model.eval();
  noGrad(() => {
    for (let i = 0; i < count; i++) {
      let state: RecurrentState = null;
      let token = 0;
      let word = '';
      while (word.length < (options.maxLength ?? 14)) {
        const [logits, next]: [Tensor, RecurrentState] = model.forward(Tensor.fromData(Int32Array.of(token), [1, 1]), state);
        state = next;
        token = drawToken(logits.contiguousData() as Float32Array, options.temperature ?? 0.8, generator);
        if (token === 0) break;
        word += ALPHABET[token];
      }
      words.push(word);
    }
  });
  model.train();
  return words;
}
