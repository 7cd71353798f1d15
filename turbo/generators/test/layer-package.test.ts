/**
 * `pnpm gen layer-package <name>` end to end, as a contributor would run it:
 * in a temporary copy of the workspace, install (offline, from the shared
 * pnpm store), generate, install the new package, then build, type-check,
 * lint, test and package-check it, and check that the umbrella found it.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
// Builds (dist) are copied: the packages below the new one are built already (CI builds before it tests).
const SKIPPED = new Set(['node_modules', '.turbo', '.git', '.vitest-result.json', 'coverage']);
const name = 'probe-kit';
const folder = `packages/layers-${name}`;
let workspace = '';
// The umbrella is the package that keeps itself in step with the others (scripts/sync-packages.mjs).
const umbrella = `packages/${readdirSync(join(repositoryRoot, 'packages')).find((entry) => existsSync(join(repositoryRoot, 'packages', entry, 'scripts', 'sync-packages.mjs')))}`;

function run(command: string, args: string[]): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd: workspace, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

const read = (path: string): string => readFileSync(join(workspace, path), 'utf8');

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'strata-gen-'));
  cpSync(repositoryRoot, workspace, { recursive: true, filter: (source) => !SKIPPED.has(basename(source)) });
  rmSync(join(workspace, folder), { recursive: true, force: true });
  run('pnpm', ['install', '--offline', '--frozen-lockfile']);
  run('pnpm', ['gen', 'layer-package', name]);
  run('pnpm', ['install', '--offline', '--no-frozen-lockfile']);
});

afterAll(() => {
  if (workspace !== '') rmSync(workspace, { recursive: true, force: true });
});

describe('pnpm gen layer-package', () => {
  it('stamps the package, its PyTorch case script and fixture, and a changeset', () => {
    for (const file of [
      'package.json', 'README.md', 'CHANGELOG.md', 'tsconfig.json', 'tsup.config.ts', 'vitest.config.ts',
      'src/index.ts', 'src/options.ts', 'src/scale.ts', 'src/kernels/scale.ts',
      'src/scale.test.ts', 'src/gradcheck.test.ts', 'src/parity.test.ts', `src/__fixtures__/${name}.json`,
    ]) {
      expect(existsSync(join(workspace, folder, file)), file).toBe(true);
    }
    expect(JSON.parse(read(`${folder}/package.json`)).name).toBe(`@strata/layers-${name}`);
    expect(read('tooling/parity/cases_probe_kit.py')).toContain('PACKAGE = "layers-probe-kit"');
    expect(read(`.changeset/layers-${name}-initial.md`)).toContain(`"@strata/layers-${name}": minor`);
    expect(read(`${folder}/src/scale.ts`)).toContain("registerKernel('probeKitScale'");
    const fixture = JSON.parse(read(`${folder}/src/__fixtures__/${name}.json`)) as { torch: string; cases: unknown[] };
    expect(fixture.torch).toMatch(/^1\./);
    expect(fixture.cases.length).toBeGreaterThan(0);
  });

  it('wires it into the umbrella without a hand-kept list', () => {
    expect(read(`${umbrella}/src/index.ts`)).toContain(`export * from '@strata/layers-${name}';`);
    const umbrellaManifest = JSON.parse(read(`${umbrella}/package.json`)) as { name: string; dependencies: Record<string, string> };
    expect(umbrellaManifest.dependencies[`@strata/layers-${name}`]).toBe('workspace:^');
    expect(read(`.changeset/layers-${name}-initial.md`)).toContain(`"${umbrellaManifest.name}": minor`);
    run('node', [`${umbrella}/scripts/sync-packages.mjs`, '--check']);
  });

  it('builds, type-checks, lints and passes the package check', () => {
    const below = ['tensor', 'autograd', 'module'];
    if (!below.every((folder) => existsSync(join(repositoryRoot, 'packages', folder, 'dist', 'index.d.ts')))) {
      run('pnpm', ['exec', 'turbo', 'run', 'build', `--filter=@strata/layers-${name}^...`]);
    }
    run('pnpm', ['--filter', `@strata/layers-${name}`, 'run', 'build']);
    run('pnpm', ['--filter', `@strata/layers-${name}`, 'run', 'typecheck']);
    expect(existsSync(join(workspace, folder, 'dist', 'index.d.ts'))).toBe(true);
    run('pnpm', ['exec', 'eslint', folder]);
    run('node', ['tooling/check-packages.mjs', `layers-${name}`]);
  });

  it("passes its own tests (unit, gradcheck, PyTorch parity) and the umbrella's", () => {
    run('pnpm', ['--filter', `@strata/layers-${name}`, 'test']);
    const report = JSON.parse(read(`${folder}/.vitest-result.json`)) as { numPassedTests: number; numFailedTests: number };
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(10);
    run('pnpm', ['--filter', `./${umbrella}`, 'exec', 'vitest', 'run', 'src/umbrella.test.ts', 'src/api-packages.test.ts']);
  });

  it('refuses a package that exists', () => {
    const result = spawnSync('pnpm', ['gen', 'layer-package', name], { cwd: workspace, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(`packages/layers-${name} already exists`);
  });
});
