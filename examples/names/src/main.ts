/**
 * `pnpm --filter @strata/examples-names start [-- --epochs N --hidden H --words FILE]`
 *
 * Trains an RNN, an LSTM, a GRU and a small decoder-only Transformer (gpt.ts)
 * on the same words with the same budget, prints their validation losses side by side (nats per character, epoch by
 * epoch) and words sampled from each.
 */
import '@strata/autograd';
import { parseArgs } from 'node:util';
import type { CellKind } from './model.js';
import { type TrainResult, sampleWords, trainModel } from './train.js';
import { readWords, splitWords } from './words.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '4' },
    hidden: { type: 'string', default: '64' },
    words: { type: 'string' },
    samples: { type: 'string', default: '8' },
  },
});
const words = readWords(values.words ?? undefined);
const { train, validation } = splitWords(words, 0.1, 0);
const options = { epochs: Number(values.epochs), hidden: Number(values.hidden), embedding: 16, batchSize: 32, learningRate: 0.01, seed: 0 };
console.log(`${train.length} training and ${validation.length} validation words; ${options.epochs} epochs, hidden ${options.hidden}, Adam lr ${options.learningRate}, batch ${options.batchSize}`);

const kinds: CellKind[] = ['rnn', 'lstm', 'gru', 'gpt'];
const results = new Map<CellKind, TrainResult>();
for (const kind of kinds) {
  const result = trainModel(kind, train, validation, options);
  results.set(kind, result);
  console.log(`${kind.toUpperCase()}: ${result.seconds.toFixed(1)} s, validation loss ${result.validationLoss.at(-1)!.toFixed(3)}`);
}

console.log('\nvalidation loss (nats per character; uniform guessing is ln 27 = 3.296)');
console.log(`| epoch | ${kinds.map((kind) => kind.toUpperCase()).join(' | ')} |`);
console.log(`|---|${kinds.map(() => '---:').join('|')}|`);
for (let epoch = 0; epoch <= options.epochs; epoch++) {
  console.log(`| ${epoch} | ${kinds.map((kind) => results.get(kind)!.validationLoss[epoch]!.toFixed(3)).join(' | ')} |`);
}
console.log('\nsampled words (temperature 0.8)');
for (const kind of kinds) {
  console.log(`${kind.toUpperCase().padEnd(5)} ${sampleWords(results.get(kind)!.model, Number(values.samples), { seed: 1 }).join(', ')}`);
}
