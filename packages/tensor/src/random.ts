/**
 * A random generator, like `torch.Generator`: xoshiro128** seeded through
 * SplitMix32, so the same seed gives the same numbers on every platform and
 * runtime. `defaultGenerator` is the global one that `manualSeed` seeds.
 *
 * @example
 * ```ts
 * const generator = new Generator(42);
 * const a = rand([3], { generator });
 * generator.manualSeed(42);
 * rand([3], { generator }).equal(a); // true
 * ```
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /**
   * Resets the state from a seed (any integer; only its low 53 bits count).
   * @throws RangeError when `seed` is not a finite number.
   */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new RangeError(`Generator.manualSeed: seed must be a finite number, got ${seed}`);
    let state = (seed >>> 0) ^ Math.floor(seed / 0x1_0000_0000);
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = null;
    return this;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A standard normal sample (Box–Muller, both values used). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.nextDouble();
    const v = this.nextDouble();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [low, high). */
  nextInt(low: number, high: number): number {
    return low + Math.floor(this.nextDouble() * (high - low));
  }

  /** The state, to save and restore (`getState`/`setState`). */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spareNormal ?? Number.NaN];
  }

  /**
   * Restores a state from `getState`.
   * @throws RangeError when `state` does not hold 5 numbers.
   */
  setState(state: readonly number[]): void {
    if (state.length !== 5) throw new RangeError(`Generator.setState: expected 5 numbers, got ${state.length}`);
    [this.s0, this.s1, this.s2, this.s3] = state.map((word) => word | 0) as [number, number, number, number];
    this.spareNormal = Number.isNaN(state[4]) ? null : state[4]!;
  }
}

function rotateLeft(x: number, bits: number): number {
  return (x << bits) | (x >>> (32 - bits));
}

/** The generator that `rand`, `randn`, dropout masks and initializers draw from. */
export const defaultGenerator = new Generator(0);

/**
 * Seeds the default generator, like `torch.manual_seed`: the same seed gives
 * the same random tensors, masks and initial weights. Returns the generator.
 * @throws RangeError when `seed` is not a finite number.
 * @example
 * ```ts
 * manualSeed(0);
 * const first = randn([2]);
 * manualSeed(0);
 * randn([2]).equal(first); // true
 * ```
 */
export function manualSeed(seed: number): Generator {
  if (!Number.isFinite(seed)) throw new RangeError(`manualSeed: seed must be a finite number, got ${seed}`);
  return defaultGenerator.manualSeed(Math.trunc(seed));
}
