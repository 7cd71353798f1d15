/** The README's example, with its commented results asserted (keep the two in step). */
import '@strata/autograd';
import { Sequential } from '@strata/module';
import { manualSeed, randint, tensor } from '@strata/tensor';
import { expect, it } from 'vitest';
import { Dropout, Embedding, Flatten, GELU, Linear } from './index.js';

it("runs the README's example", () => {
  manualSeed(0);
  const model = new Sequential(
    new Embedding(1000, 16, { paddingIdx: 0, maxNorm: 1 }),
    new Flatten(),
    new Linear(128, 64), new GELU(), new Dropout(0.1),
    new Linear(64, 4),
  );
  expect(model.toString().split('\n').slice(0, 2)).toEqual(['Sequential(', '  (0): Embedding(1000, 16, padding_idx=0, max_norm=1.0)']);
  const tokens = randint(1, 1000, [32, 8]);
  const logits = model.forward(tokens);
  expect(logits.shape).toEqual([32, 4]);
  logits.logSoftmax(1).mean().backward();
  expect(model.getParameter('0.weight').grad?.shape).toEqual([1000, 16]);
  model.eval();
  expect(Object.keys(model.stateDict())).toEqual(['0.weight', '2.weight', '2.bias', '5.weight', '5.bias']);
  expect(model.forward(tensor([[1, 2, 3, 4, 5, 6, 7, 8]], { dtype: 'int32' })).shape).toEqual([1, 4]);
});
