/** Formats sizes as Python prints a tuple, for PyTorch's `extra_repr` text: `(3,)`, `(3, 3)`. */
export function formatTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}
