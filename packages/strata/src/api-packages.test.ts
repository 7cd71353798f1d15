/**
 * The public API contract (/work/shared/API.md), section "packages and the dependency rule":
 * statement by statement, in the order the page makes them, through the
 * public entry points only (the imports of the page's code blocks, and the
 * `@strata/nn` umbrella).
 *
 * Expected numbers are exact arithmetic stated beside them, or PyTorch 1.13's
 * output for the call quoted beside them (`torch`, `nn`, `F` as usual).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — packages and the dependency rule (ARCHITECTURE.md)', () => {
  const packagesDirectory = fileURLToPath(new URL('../..', import.meta.url));
  interface Manifest {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  }
  const manifests = new Map<string, Manifest>();
  for (const folder of readdirSync(packagesDirectory)) {
    try {
      manifests.set(folder, JSON.parse(readFileSync(join(packagesDirectory, folder, 'package.json'), 'utf8')) as Manifest);
    } catch {
      // not a package folder
    }
  }
  // tensor ← autograd ← module ← layers-conv | layers-norm | layers-misc | losses; module ← optim ← train
  const arrows: Record<string, string[]> = {
    tensor: [],
    autograd: ['tensor'],
    module: ['autograd'],
    'layers-conv': ['module'],
    'layers-norm': ['module'],
    'layers-misc': ['module'],
    // ARCHITECTURE.md: one level up, a Transformer is made of Linear, Dropout and LayerNorm.
    'layers-attention': ['layers-misc', 'layers-norm'],
    losses: ['module'],
    optim: ['module'],
    train: ['optim'],
    // onnx knows every layer package by type only (filled in below): type imports and devDependencies, kept out of its
    // run-time `dependencies` by the last check.
    onnx: ['module'],
  };
  // A layer package the table does not list yet (made with `pnpm gen layer-package`) sits on module, like the others.
  for (const folder of manifests.keys()) if (folder.startsWith('layers-') && !(folder in arrows)) arrows[folder] = ['module'];
  for (const folder of manifests.keys()) if (folder.startsWith('layers-')) arrows.onnx!.push(folder);
  const below = (name: string): Set<string> => {
    const reachable = new Set<string>();
    const pending = [...(arrows[name] ?? [])];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (reachable.has(next)) continue;
      reachable.add(next);
      pending.push(...(arrows[next] ?? []));
    }
    return reachable;
  };
  const layerPackages = [...Object.keys(arrows).filter((folder) => folder.startsWith('layers-')), 'losses'];
  const workspaceDependencies = (manifest: Manifest, kinds: (keyof Manifest)[]): string[] =>
    kinds.flatMap((kind) => Object.keys((manifest[kind] as Record<string, string> | undefined) ?? {})).filter((name) => name.startsWith('@strata/'));

  it('every package of the table exists under its npm name', () => {
    for (const folder of Object.keys(arrows)) expect(manifests.get(folder)?.name).toBe(`@strata/${folder}`);
    expect(manifests.get('strata')?.name).toBe('@strata/nn');
  });

  it('@strata/layers-conv does not pull in @strata/layers-norm; no layer package depends on another but along the arrows', () => {
    const conv = manifests.get('layers-conv')!;
    const runtime: (keyof Manifest)[] = ['dependencies', 'peerDependencies', 'optionalDependencies'];
    expect(workspaceDependencies(conv, runtime)).not.toContain('@strata/layers-norm');
    // and nothing it pulls in does either (the closure of its runtime dependencies)
    const closure = new Set<string>();
    const pending = workspaceDependencies(conv, runtime);
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (closure.has(next)) continue;
      closure.add(next);
      pending.push(...workspaceDependencies(manifests.get(next.slice('@strata/'.length))!, runtime));
    }
    expect([...closure].sort()).toEqual(['@strata/autograd', '@strata/module', '@strata/tensor']);
    for (const layer of layerPackages) {
      const dependencies = workspaceDependencies(manifests.get(layer)!, [...runtime, 'devDependencies']);
      for (const other of layerPackages) if (!below(layer).has(other)) expect(dependencies, layer).not.toContain(`@strata/${other}`);
    }
  });

  it('every @strata dependency follows the arrows (nothing upward or sideways)', () => {
    for (const [folder, manifest] of manifests) {
      if (folder === 'strata') continue;
      const allowed = below(folder);
      const dependencies = workspaceDependencies(manifest, ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']);
      for (const dependency of dependencies) expect(allowed.has(dependency.slice('@strata/'.length)), `${folder} -> ${dependency}`).toBe(true);
    }
    const umbrella = workspaceDependencies(manifests.get('strata')!, ['dependencies']).sort();
    // Every package but those that opt out of the umbrella (`"strata": { "umbrella": false }`, as @strata/onnx does).
    const inUmbrella = Object.keys(arrows).filter((folder) => (manifests.get(folder) as { strata?: { umbrella?: boolean } }).strata?.umbrella !== false);
    expect(umbrella).toEqual(inUmbrella.map((folder) => `@strata/${folder}`).sort());
  });

  it('every run-time import of a package\'s source is a declared dependency that follows the arrows', () => {
    const importPattern = /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'(@strata\/[a-z-]+)[^']*'/gm;
    for (const [folder, manifest] of manifests) {
      const sourceDirectory = join(packagesDirectory, folder, 'src');
      const files = readdirSync(sourceDirectory, { recursive: true, encoding: 'utf8' }).filter(
        (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.test-d.ts') && !file.includes('test-support'),
      );
      const declared = new Set(workspaceDependencies(manifest, ['dependencies', 'peerDependencies']));
      for (const file of files) {
        const source = readFileSync(join(sourceDirectory, file), 'utf8');
        for (const match of source.matchAll(importPattern)) {
          const target = match[3]!;
          const typeOnly = match[2] !== undefined;
          if (target === manifest.name) continue;
          if (folder !== 'strata') expect(below(folder).has(target.slice('@strata/'.length)), `${folder}/src/${file} imports ${target}`).toBe(true);
          if (!typeOnly) expect(declared.has(target), `${folder}/src/${file} imports ${target} at run time`).toBe(true);
        }
      }
    }
  });
});
