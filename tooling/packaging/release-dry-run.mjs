#!/usr/bin/env node
/**
 * The release flow without releasing (CI runs it; `pnpm release` is the
 * real thing: build, check, `changeset publish`):
 *
 * 1. `changeset version` in a scratch copy of the manifests, changelogs and
 *    changesets (the repository is left alone; no git history needed): a
 *    public package at 0.0.0 goes to 0.1.0 with a changelog entry, no private
 *    workspace (apps, examples) is versioned, every changeset is consumed.
 * 2. `pnpm publish -r --dry-run`: what `changeset publish` would upload.
 *
 * Usage: node tooling/packaging/release-dry-run.mjs (packages built first).
 * Writes tooling/packaging/.release-result.json for CI's summary line.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from './manifests.mjs';

const changeset = join(repositoryRoot, 'node_modules', '.bin', 'changeset');
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

/** Every workspace package: folder, manifest, private or not. */
function workspacePackages(root) {
  const found = [];
  for (const group of ['packages', 'apps', 'examples']) {
    if (!existsSync(join(root, group))) continue;
    for (const folder of readdirSync(join(root, group))) {
      const path = join(root, group, folder, 'package.json');
      if (existsSync(path)) found.push({ path: join(group, folder), manifest: JSON.parse(readFileSync(path, 'utf8')) });
    }
  }
  return found;
}

const scratch = mkdtempSync(join(tmpdir(), 'strata-release-'));
const packages = workspacePackages(repositoryRoot);

console.log('1. changeset version, in a scratch copy');
cpSync(join(repositoryRoot, '.changeset'), join(scratch, '.changeset'), { recursive: true });
for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(repositoryRoot, file), join(scratch, file));
for (const { path } of packages) {
  mkdirSync(join(scratch, path), { recursive: true });
  for (const file of ['package.json', 'CHANGELOG.md']) if (existsSync(join(repositoryRoot, path, file))) cpSync(join(repositoryRoot, path, file), join(scratch, path, file));
}
execFileSync('git', ['init', '-q'], { cwd: scratch });
execFileSync(changeset, ['version'], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
for (const { path, manifest } of packages) {
  const after = JSON.parse(readFileSync(join(scratch, path, 'package.json'), 'utf8'));
  if (manifest.private === true) {
    check(`${manifest.name} (private) stays at ${manifest.version}`, after.version === manifest.version);
  } else {
    const changelog = existsSync(join(scratch, path, 'CHANGELOG.md')) ? readFileSync(join(scratch, path, 'CHANGELOG.md'), 'utf8') : '';
    // A first release (0.0.0) must land at 0.1.0; later ones at whatever their changesets say, with a changelog entry.
    const versionOk = manifest.version === '0.0.0' ? after.version === '0.1.0' : true;
    const changelogOk = after.version === manifest.version || changelog.includes(`## ${after.version}`);
    check(`${manifest.name} ${manifest.version} -> ${after.version}, with its changelog`, versionOk && changelogOk);
  }
}
const left = readdirSync(join(scratch, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
check('every changeset consumed', left.length === 0, left.join(', '));

console.log('2. pnpm publish -r --dry-run (what changeset publish uploads)');
try {
  const output = execFileSync('pnpm', ['-r', 'publish', '--dry-run', '--no-git-checks'], { cwd: repositoryRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const published = [...output.matchAll(/^\+ (@strata\/\S+)@/gm)].map((match) => match[1]);
  const expected = packages.filter(({ manifest }) => manifest.private !== true).map(({ manifest }) => manifest.name);
  check('every public package, and only those, would be published', JSON.stringify([...published].sort()) === JSON.stringify([...expected].sort()), published.join(', '));
} catch (error) {
  check('pnpm publish --dry-run', false, String(error.stderr ?? error.message));
}

rmSync(scratch, { recursive: true, force: true });
console.log(`release dry run: ${passed} passed, ${failed} failed`);
writeFileSync(join(repositoryRoot, 'tooling', 'packaging', '.release-result.json'), JSON.stringify({ numPassedTests: passed, numFailedTests: failed }));
process.exit(failed === 0 ? 0 : 1);
