/** Python source literals for the values of module options. */

/** A value of a module option as Python writes it: `True`, `None`, `1e-05`, `(3, 3)`, `'same'`. */
export type PythonValue = boolean | number | string | null | readonly PythonValue[] | { readonly python: string };

/** Python source for `value`: booleans, `None`, numbers (`float('inf')`), strings, tuples, or raw source (`{ python }`). */
export function pythonLiteral(value: PythonValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "float('nan')";
    if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "float('-inf')";
    // Python's repr switches to an exponent below 1e-4 (`1e-05`), JavaScript's only below 1e-6.
    if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
    return String(value);
  }
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) {
    const items = (value as readonly PythonValue[]).map((item) => pythonLiteral(item));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return (value as { python: string }).python;
}

/** A float option as Python writes it, so that `momentum=0.1` stays a float even when integral (`1.0`). */
export function pythonFloat(value: number): { python: string } {
  const text = pythonLiteral(value);
  return { python: Number.isInteger(value) ? `${text}.0` : text };
}

/** A call's arguments: positional values, then `name=value` keywords in order. */
export function pythonArguments(positional: readonly PythonValue[], keywords: Readonly<Record<string, PythonValue>> = {}): string {
  return [
    ...positional.map((value) => pythonLiteral(value)),
    ...Object.entries(keywords).map(([name, value]) => `${name}=${pythonLiteral(value)}`),
  ].join(', ');
}
