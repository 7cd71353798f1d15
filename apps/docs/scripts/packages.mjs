// The workspace packages the reference documents: every packages/*/package.json
// that is not private, except the umbrella (`strata`, renamed `@strata/nn`),
// which re-exports the others. A new package appears without editing the docs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's packages/ folder. */
export const packagesDirectory = fileURLToPath(new URL('../../../packages', import.meta.url));

const UMBRELLA_NAMES = new Set(['strata', '@strata/nn']);

/**
 * The public packages, sorted by folder, each with its entry points: one per
 * subpath of its exports map (`.` → src/index.ts, `./node` → src/node.ts).
 */
export function publicPackages() {
  const found = [];
  for (const folder of readdirSync(packagesDirectory).sort()) {
    const manifestPath = join(packagesDirectory, folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true || UMBRELLA_NAMES.has(manifest.name)) continue;
    const entries = [];
    for (const subpath of Object.keys(manifest.exports ?? { '.': null })) {
      if (subpath === './package.json') continue;
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      const source = join(packagesDirectory, folder, 'src', subpath === '.' ? 'index.ts' : `${subpath.slice(2)}.ts`);
      if (existsSync(source)) entries.push({ specifier, source });
    }
    found.push({ name: manifest.name, folder, description: manifest.description ?? '', entries });
  }
  return found;
}
