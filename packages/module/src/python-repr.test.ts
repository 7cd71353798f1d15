import { describe, expect, it } from 'vitest';
import { formatPythonBool, formatPythonFloat, formatPythonNumber, formatPythonTuple } from './python-repr.js';

describe('formatPythonFloat', () => {
  // Each expected string is what Python 3's repr(float) prints for the value.
  const cases: [number, string][] = [
    [1, '1.0'],
    [0.01, '0.01'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [2.5e-7, '2.5e-07'],
    [-0.5, '-0.5'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [1e100, '1e+100'],
    [5e-324, '5e-324'],
    [0, '0.0'],
    [-0, '-0.0'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
    [Number.NaN, 'nan'],
    [100, '100.0'],
    [1.7580993408473766, '1.7580993408473766'],
    [12345.678, '12345.678'],
  ];
  for (const [value, text] of cases) {
    it(`prints ${text}`, () => {
      expect(formatPythonFloat(value)).toBe(text);
    });
  }
});

describe('the other Python spellings', () => {
  it('prints integers as ints and the rest as floats', () => {
    expect(formatPythonNumber(20)).toBe('20');
    expect(formatPythonNumber(-3)).toBe('-3');
    expect(formatPythonNumber(0.5)).toBe('0.5');
    expect(formatPythonNumber(1e-5)).toBe('1e-05');
  });

  it('prints booleans and tuples as Python does', () => {
    expect(formatPythonBool(true)).toBe('True');
    expect(formatPythonBool(false)).toBe('False');
    expect(formatPythonTuple([3])).toBe('(3,)');
    expect(formatPythonTuple([2, 3])).toBe('(2, 3)');
  });
});

describe('formatPythonFloat against /usr/bin/python3', () => {
  it("prints numbers as Python's repr of a float does", () => {
    // Left: the numbers; right: /usr/bin/python3's repr() of the same floats.
    const values = [1e-5, 0.1, 1, 0, -0, 1e-3, 0.0005, 1234567, 1e16, 1.2345678901234568e17, 1e-4, 0.75, 2, -2.5, 1.5e-10, 3.14159, 100, 1e15,
      2 ** 53, 1 / 3, 2 ** -23];
    const reprs = ['1e-05', '0.1', '1.0', '0.0', '-0.0', '0.001', '0.0005', '1234567.0', '1e+16', '1.2345678901234568e+17', '0.0001', '0.75',
      '2.0', '-2.5', '1.5e-10', '3.14159', '100.0', '1000000000000000.0', '9007199254740992.0', '0.3333333333333333', '1.1920928955078125e-07'];
    expect(values.map(formatPythonFloat)).toEqual(reprs);
  });

  it('prints tuples as Python does', () => {
    expect([formatPythonTuple([]), formatPythonTuple([10]), formatPythonTuple([2, 3])]).toEqual(['()', '(10,)', '(2, 3)']);
  });
});
