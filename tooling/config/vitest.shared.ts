import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDirectory = fileURLToPath(new URL('../../packages', import.meta.url));

interface PackageManifest {
  name: string;
  exports?: Record<string, unknown>;
}

/**
 * Tests import workspace packages by name; these aliases point each export of
 * each package at its TypeScript source, so a test run needs no build.
 */
function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const folder of readdirSync(packagesDirectory)) {
    const manifestPath = join(packagesDirectory, folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PackageManifest;
    for (const subpath of Object.keys(manifest.exports ?? { '.': null })) {
      if (subpath === './package.json') continue;
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      const source = subpath === '.' ? 'index.ts' : `${subpath.slice(2)}.ts`;
      const escaped = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      aliases.push({ find: new RegExp(`^${escaped}$`), replacement: join(packagesDirectory, folder, 'src', source) });
    }
  }
  return aliases;
}

/** The vitest configuration every package uses. */
export const sharedVitestConfig = defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
    testTimeout: 180_000,
  },
});
