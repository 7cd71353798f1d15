/**
 * The example on a small budget: each model's validation loss falls well
 * below where it started (uniform guessing, ln 27 ≈ 3.30), and sampling
 * spells words of letters.
 */
import '@strata/autograd';
import { describe, expect, it } from 'vitest';
import type { CellKind } from './model.js';
import { sampleWords, trainModel } from './train.js';
import { ALPHABET, encodeBatch, readWords, splitWords } from './words.js';

describe('the data', () => {
  it('ships 6,000 lowercase words and reads each as boundary + letters, predicting one step ahead', () => {
    const words = readWords();
    expect(words.length).toBe(6000);
    const batch = encodeBatch(['cat', 'a']);
    expect(batch.inputs.tolist()).toEqual([[0, 3, 1, 20], [0, 1, 0, 0]]);
    expect(batch.targets.tolist()).toEqual([[3, 1, 20, 0], [1, 0, -100, -100]]);
    const { train, validation } = splitWords(words, 0.1, 0);
    expect([train.length, validation.length]).toEqual([5400, 600]);
    expect(new Set([...train, ...validation]).size).toBe(6000);
  });
});

describe('training', () => {
  const words = readWords();
  const { train, validation } = splitWords(words.slice(0, 1500), 0.2, 0);
  const options = { epochs: 2, hidden: 32, embedding: 8, batchSize: 32, learningRate: 0.02, seed: 0 };

  it.each<CellKind>(['rnn', 'lstm', 'gru', 'gpt'])('%s: the validation loss falls', (kind) => {
    const result = trainModel(kind, train, validation, options);
    const [before, ...after] = result.validationLoss;
    expect(before).toBeGreaterThan(3.1);
    expect(after.at(-1)!).toBeLessThan(before! - 0.4);
    expect(result.trainLoss.at(-1)!).toBeLessThan(result.trainLoss[0]!);
    const samples = sampleWords(result.model, 5, { seed: 1 });
    expect(samples).toHaveLength(5);
    for (const word of samples) expect([...word].every((character) => ALPHABET.slice(1).includes(character))).toBe(true);
  });
});
