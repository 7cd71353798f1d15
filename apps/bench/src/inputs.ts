import { Generator } from '@strata/tensor';

/**
 * `count` float32 samples of the standard normal distribution from Strata's
 * seeded generator: the same numbers on every run, for every JavaScript peer.
 */
export function seededNormal(count: number, seed: number): Float32Array {
  const generator = new Generator(seed);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = generator.nextNormal();
  return data;
}
