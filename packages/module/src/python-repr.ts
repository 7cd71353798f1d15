/**
 * Python's spelling of values, for `extraRepr()` texts that match PyTorch's
 * `extra_repr` character for character.
 */

/**
 * A number as Python's `repr(float(value))` prints it: `1.0`, `0.01`,
 * `1e-05`, `1e+16`, `inf`, `nan`. Both languages print the shortest digits
 * that round-trip; they differ in where they switch to exponent notation
 * (Python below 1e-4 and from 1e16 on) and in how they spell it.
 *
 * PyTorch prints an option with the type the user passed (`alpha=1.0` for
 * the default, `alpha=2` after `ELU(2)`); JavaScript has one number type, so
 * Strata prints options that PyTorch types as `float` with this function.
 */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  // Python's repr uses exponent notation when the decimal point would sit
  // more than 4 places left of the first digit or 16 places right of it.
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = Math.abs(exponent);
    return `${sign}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? '0' : ''}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/** A number as Python prints a value the user passed: integers as `20`, others as floats (`0.5`). */
export function formatPythonNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : formatPythonFloat(value);
}

/** A boolean as Python prints it: `True` / `False`. */
export function formatPythonBool(value: boolean): string {
  return value ? 'True' : 'False';
}

/** Sizes as Python prints a tuple: `(3,)`, `(2, 3)`. */
export function formatPythonTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}
