#!/usr/bin/env node
/**
 * What npm users will get, checked on the tarballs: every public package
 * (found from packages/*\/package.json) is packed with `pnpm pack`, then
 * linted by publint (strict: suggestions are errors too) and by
 * are-the-types-wrong (`attw`, every entry point under node10, node16 from
 * ESM and from CommonJS, and bundler resolution). Prints packed and unpacked
 * sizes, and the share of source maps.
 *
 * Usage: node tooling/packaging/check-published.mjs [--tarballs DIR]
 * (the packages must be built). Exits 1 on any problem. Writes
 * tooling/packaging/.test-result.json for CI's summary line.
 */
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { repositoryRoot } from './manifests.mjs';
import { formatBytes, packAll } from './pack.mjs';


const argumentIndex = process.argv.indexOf('--tarballs');
const keep = argumentIndex >= 0;
const destination = keep ? process.argv[argumentIndex + 1] : mkdtempSync(join(tmpdir(), 'strata-tarballs-'));
const started = performance.now();
const packed = packAll(destination);

let passed = 0;
let failed = 0;
const rows = [];
await Promise.all(
  packed.map(async (entry) => {
    const problems = [];
    const tarball = readFileSync(entry.tarball);
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'packages', entry.folder, 'package.json'), 'utf8'));
    const { messages } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      strict: true,
    });
    for (const message of messages) problems.push(`publint ${message.type}: ${formatMessage(message, manifest) ?? message.code}`);
    // are-the-types-wrong's own checks (what `attw --pack` runs), in this process: TypeScript loads once.
    const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(tarball)));
    if (!analysis.types) problems.push('attw: the package has no type declarations');
    for (const problem of analysis.problems ?? []) {
      const where = [problem.entrypoint, problem.resolutionKind].filter(Boolean).join(' under ');
      problems.push(`attw ${problem.kind}${where ? ` (${where})` : ''}: https://github.com/arethetypeswrong/arethetypeswrong.github.io/blob/main/docs/problems/${problem.kind}.md`);
    }
    const mapBytes = entry.files.filter((file) => file.name.endsWith('.map')).reduce((sum, file) => sum + file.size, 0);
    rows.push({ ...entry, problems, mapShare: mapBytes / entry.unpackedBytes });
  }),
);

rows.sort((a, b) => a.name.localeCompare(b.name));
console.log('package               packed    unpacked  maps  publint+attw');
for (const row of rows) {
  const status = row.problems.length === 0 ? 'clean' : `${row.problems.length} problems`;
  console.log(
    `${row.name.padEnd(21)} ${formatBytes(row.packedBytes).padStart(9)} ${formatBytes(row.unpackedBytes).padStart(10)} ${`${Math.round(row.mapShare * 100)}%`.padStart(5)}  ${status}`,
  );
  for (const problem of row.problems) console.log(`  ${problem.replaceAll('\n', '\n    ')}`);
  if (row.problems.length === 0) passed++;
  else failed++;
}
console.log(`publint --strict and attw on ${rows.length} tarballs: ${passed} clean, ${failed} with problems (${((performance.now() - started) / 1000).toFixed(1)} s)`);
writeFileSync(join(repositoryRoot, 'tooling', 'packaging', '.test-result.json'), JSON.stringify({ numPassedTests: passed, numFailedTests: failed }));
if (!keep) rmSync(destination, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
