import { afterAll, beforeAll, describe, it } from 'vitest';
import '../../index.js';
import { conformanceCases } from '../../testing.js';
import { getNumThreads, setNumThreads } from '../../threads/num-threads.js';
import { setThreadMinMultiplyAdds } from './gemm-plan.js';

// The conformance suite's products are small (at most 2×70×70×70), which the
// backend keeps on one thread; with the threshold at 0 every one of them is
// split over the pool, so the suite checks the threaded paths too.
describe.each([1, 2, 4])('wasm backend conformance on %i threads, every product threaded', (threads) => {
  const initialThreads = getNumThreads();
  let previousThreshold = 0;
  beforeAll(() => {
    setNumThreads(threads);
    previousThreshold = setThreadMinMultiplyAdds(0);
  });
  afterAll(() => {
    setNumThreads(initialThreads);
    setThreadMinMultiplyAdds(previousThreshold);
  });
  for (const check of conformanceCases('wasm')) it(check.name, () => check.run());
});
