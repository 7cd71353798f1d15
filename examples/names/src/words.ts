/**
 * The data: words as sequences of characters. Token 0 is the boundary `.`
 * (start and end of a word), tokens 1–26 the letters a–z. A word `cat` is
 * read as `. c a t` and predicts `c a t .`, one step ahead.
 */
import { readFileSync } from 'node:fs';
import { Generator, Tensor } from '@strata/tensor';

/** The characters, by token: the boundary then a–z. */
export const ALPHABET = '.abcdefghijklmnopqrstuvwxyz';
/** The number of tokens. */
export const VOCABULARY = ALPHABET.length;
/** The target value the loss skips (PyTorch's default `ignore_index`): padding after a short word's end. */
export const PADDING_TARGET = -100;

/** The shipped word list (data/words.txt), or another file of one word a line. */
export function readWords(path: URL | string = new URL('../data/words.txt', import.meta.url)): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((word) => /^[a-z]+$/.test(word));
}

/** A seeded shuffle, then the last `validationFraction` of the words held out. */
export function splitWords(words: readonly string[], validationFraction: number, seed: number): { train: string[]; validation: string[] } {
  const shuffled = [...words];
  const generator = new Generator(seed);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = generator.nextInt(0, i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const held = Math.max(1, Math.round(words.length * validationFraction));
  return { train: shuffled.slice(0, -held), validation: shuffled.slice(-held) };
}

/** One batch: inputs `[N, L]` (int32 tokens) and targets `[N, L]` (padding marked to be skipped). */
export interface WordBatch {
  readonly inputs: Tensor;
  readonly targets: Tensor;
}

/** The words as one padded batch, L = the longest word + 1. */
export function encodeBatch(words: readonly string[]): WordBatch {
  const length = Math.max(...words.map((word) => word.length)) + 1;
  const inputs = new Int32Array(words.length * length);
  const targets = new Int32Array(words.length * length).fill(PADDING_TARGET);
  words.forEach((word, row) => {
    const tokens = [...word].map((character) => ALPHABET.indexOf(character));
    [0, ...tokens].forEach((token, t) => (inputs[row * length + t] = token));
    [...tokens, 0].forEach((token, t) => (targets[row * length + t] = token));
  });
  const shape = [words.length, length];
  return { inputs: Tensor.fromData(inputs, shape), targets: Tensor.fromData(targets, shape) };
}

/** The words in batches of `size`, in a seeded order. */
export function batchesOf(words: readonly string[], size: number, seed: number): WordBatch[] {
  const { train: order } = splitWords([...words, ''], 0, seed);
  const shuffled = order.filter((word) => word !== '');
  const batches: WordBatch[] = [];
  for (let start = 0; start < shuffled.length; start += size) batches.push(encodeBatch(shuffled.slice(start, start + size)));
  return batches;
}
