// Which copy of @strata/tensor made a tensor. A published package is built
// twice (ESM and CommonJS), and node_modules may hold two versions: when an
// app loads two copies, each has its own `Tensor` class and kernel registry,
// and a tensor of one is not an `instanceof` the other. `Tensor`'s
// `Symbol.hasInstance` uses this brand to turn that silent mismatch into an
// error that names the cause and the fix.

// Replaced by the package build (tooling/config/tsup.shared.ts); absent when
// the source runs directly (tests).
declare const __STRATA_PACKAGE_VERSION__: string | undefined;
declare const __STRATA_MODULE_FORMAT__: string | undefined;

/** One loaded copy of this package: its version and module format. */
export interface PackageCopy {
  /** The package version, e.g. `0.1.0`. */
  readonly version: string;
  /** `ESM`, `CommonJS`, or `source` (run from TypeScript, in the repository). */
  readonly format: string;
}

/** The key of the brand every tensor carries on its prototype; `Symbol.for` so that every copy reads the same key. */
export const packageCopyKey: unique symbol = Symbol.for('@strata/tensor: package copy') as never;

/** This copy. */
export const thisPackageCopy: PackageCopy = Object.freeze({
  version: typeof __STRATA_PACKAGE_VERSION__ === 'string' ? __STRATA_PACKAGE_VERSION__ : 'workspace',
  format: typeof __STRATA_MODULE_FORMAT__ === 'string' ? __STRATA_MODULE_FORMAT__ : 'source',
});

/** The copy that made `value`, when it is a tensor of another copy of @strata/tensor; otherwise `null`. */
export function foreignPackageCopy(value: object): PackageCopy | null {
  const copy = (value as { [packageCopyKey]?: unknown })[packageCopyKey];
  if (copy === undefined || copy === thisPackageCopy || typeof copy !== 'object' || copy === null) return null;
  return copy as PackageCopy;
}

/** The error for a tensor of another copy: what happened, why, and how to fix it. */
export function foreignTensorError(other: PackageCopy): TypeError {
  const describe = (copy: PackageCopy): string => `${copy.version}, ${copy.format}`;
  return new TypeError(
    `Tensor: this tensor was made by another copy of @strata/tensor (${describe(other)}) than the one reading it ` +
      `(${describe(thisPackageCopy)}). Two copies are loaded: usually one @strata package is loaded with import and ` +
      `another with require(), or node_modules holds two versions. Tensors never cross copies. Fix: load every ` +
      `@strata package the same way (all import or all require), and install one version (check with ` +
      `"npm ls @strata/tensor", merge with "npm dedupe").`,
  );
}
