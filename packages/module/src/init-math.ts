/**
 * Scalar math the initializers need and JavaScript lacks: the error function
 * and its inverse (for `truncNormal_`), and an orthonormal basis (for
 * `orthogonal_`). Double precision throughout.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function, to about 1e-15. Below |x| = 3 it sums the series
 * erf(x) = 2/√π · e^(−x²) · Σ (2x²)ⁿ x / (2n+1)!!, whose terms are all
 * positive (no cancellation); above, it evaluates erfc's continued fraction.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const sign = x < 0 ? -1 : 1;
  const z = Math.abs(x);
  if (z >= 6) return sign;
  if (z < 3) {
    const twoZSquared = 2 * z * z;
    let term = z;
    let sum = z;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= twoZSquared / (2 * n + 1);
      sum += term;
    }
    return sign * TWO_OVER_SQRT_PI * Math.exp(-z * z) * sum;
  }
  // erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...))))), evaluated from the tail.
  let fraction = z;
  for (let k = 60; k >= 1; k--) fraction = z + k / 2 / fraction;
  const complement = Math.exp(-z * z) / Math.sqrt(Math.PI) / fraction;
  return sign * (1 - complement);
}

/**
 * The inverse error function on (−1, 1): Winitzki's closed-form estimate
 * refined by Halley steps on erf(x) − y, to about 1e-14 (±Infinity at ±1).
 */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return Number.NaN;
  if (y === 1) return Number.POSITIVE_INFINITY;
  if (y === -1) return Number.NEGATIVE_INFINITY;
  if (y === 0) return 0;
  const a = 0.147;
  const log = Math.log((1 - y) * (1 + y));
  const first = 2 / (Math.PI * a) + log / 2;
  let x = Math.sign(y) * Math.sqrt(Math.sqrt(first * first - log / a) - first);
  for (let step = 0; step < 4; step++) {
    const error = erf(x) - y;
    const derivative = TWO_OVER_SQRT_PI * Math.exp(-x * x);
    if (derivative === 0) break;
    const newton = error / derivative;
    x -= newton / (1 + x * newton);
  }
  return x;
}

/** The standard normal cumulative distribution function Φ(x). */
export function normalCdf(x: number): number {
  return (1 + erf(x / Math.SQRT2)) / 2;
}

/**
 * The Q of the thin QR decomposition of an `m × n` matrix (`m ≥ n`,
 * row-major `matrix`), with R's diagonal positive, as `orthogonal_`
 * normalizes it. Modified Gram–Schmidt, run twice per column so the columns
 * stay orthonormal to rounding. Returns Q row-major (`m × n`).
 */
export function orthonormalColumns(matrix: Float64Array, m: number, n: number): Float64Array {
  const q = new Float64Array(m * n);
  const column = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) column[i] = matrix[i * n + j]!;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i * n + k]! * column[i]!;
        for (let i = 0; i < m; i++) column[i]! -= dot * q[i * n + k]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += column[i]! * column[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) q[i * n + j] = norm === 0 ? 0 : column[i]! / norm;
  }
  return q;
}
