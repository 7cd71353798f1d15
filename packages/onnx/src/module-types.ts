import type { Module } from '@strata/module';

/**
 * Finds what a table holds for a module's class without importing the layer
 * packages: the class names of the module's prototype chain are looked up,
 * most derived first. A subclass that only adds fields (`class MyConv
 * extends Conv2d {}`) is found as its base; one that defines its own
 * `forward` computes something else, so the search stops there and the
 * module counts as unknown (the exporter then traces its submodules).
 *
 * @returns the entry and the class name it was found under, or `null`.
 */
export function lookupByClass<Entry>(module: Module, table: ReadonlyMap<string, Entry>): { typeName: string; entry: Entry } | null {
  for (let prototype: object | null = Object.getPrototypeOf(module) as object | null; prototype !== null; ) {
    const constructor = (prototype as { constructor?: { name?: unknown } }).constructor;
    const typeName = typeof constructor?.name === 'string' ? constructor.name : '';
    const entry = table.get(typeName);
    if (entry !== undefined) return { typeName, entry };
    if (Object.hasOwn(prototype, 'forward')) return null;
    prototype = Object.getPrototypeOf(prototype) as object | null;
  }
  return null;
}

/** A module's place in the model for messages: `Conv2d at 'features.0'` (or `Conv2d (the model)`). */
export function describeModule(typeName: string, path: string): string {
  return path === '' ? `${typeName} (the model itself)` : `${typeName} at '${path}'`;
}

/** Expands a size argument (a number or one number per spatial dimension) to `rank` entries. */
export function expandSize(value: number | readonly number[], rank: number): number[] {
  return typeof value === 'number' ? new Array<number>(rank).fill(value) : [...value];
}
