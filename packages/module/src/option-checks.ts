/**
 * Checks of the options objects that layer constructors and functional ops
 * take, shared by the layer packages so their messages read alike.
 */

/**
 * How an error message quotes an option's value: numbers, booleans, `null`
 * and `undefined` as written, strings quoted, arrays element by element,
 * anything else by its `typeof`.
 *
 * @example
 * ```ts
 * describeOption([1, 'same']); // "[1, 'same']"
 * ```
 */
export function describeOption(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describeOption).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}

/**
 * Rejects option names the layer or op does not have, as PyTorch rejects an
 * unknown keyword argument (a misspelt `padding_idx` would otherwise be ignored).
 *
 * @example
 * ```ts
 * checkOptionNames('Embedding', { padding_idx: 0 }, ['paddingIdx']); // throws RangeError
 * ```
 * @throws TypeError `Embedding: expected an options object, got number`
 * @throws RangeError `Embedding: unknown option 'padding_idx' (expected paddingIdx, maxNorm, normType, scaleGradByFreq)`
 */
export function checkOptionNames(name: string, options: object, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${name}: expected an options object, got ${describeOption(options)}`);
  }
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new RangeError(`${name}: unknown option ${unknown.map((key) => `'${key}'`).join(', ')} (expected ${known.join(', ')})`);
  }
}
