/** One entry point of a package: its import specifier and its TypeScript source. */
export interface PackageEntry {
  specifier: string;
  source: string;
}
/** A public workspace package. */
export interface PublicPackage {
  name: string;
  folder: string;
  description: string;
  entries: PackageEntry[];
}
export const packagesDirectory: string;
export function publicPackages(): PublicPackage[];
