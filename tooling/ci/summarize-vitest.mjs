// Sums vitest's JSON reports (one per workspace package) and the packaging
// checks' reports (tooling/*/.*-result.json) into the line CI ends with:
// "N passed, M failed". A package with a test script but no report (its
// run crashed or found no tests) and a test file that failed to load each count
// as one failure. Exits non-zero when anything failed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'apps', 'examples', 'turbo'];
let passed = 0;
let failed = 0;
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const folder of readdirSync(root)) {
    const manifestPath = join(root, folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.scripts?.test === undefined) continue;
    const reportPath = join(root, folder, '.vitest-result.json');
    if (!existsSync(reportPath)) {
      console.error(`${manifest.name}: no test report (the test run crashed or found no tests)`);
      failed++;
      continue;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    for (const file of report.testResults ?? []) {
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
        console.error(`${manifest.name}: ${file.name} failed to load: ${file.message ?? ''}`);
        failed++;
      }
    }
  }
}
// The packaging checks CI runs (tooling/PACKAGING.md) write the same two counts.
const toolingReports = ['packaging/.test-result.json', 'consumers/.test-result.json', 'size/.test-result.json', 'packaging/.release-result.json'];
for (const report of toolingReports) {
  const reportPath = join('tooling', report);
  if (!existsSync(reportPath)) {
    console.error(`tooling/${report}: no report (the check crashed or did not run)`);
    failed++;
    continue;
  }
  const counts = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += counts.numPassedTests ?? 0;
  failed += counts.numFailedTests ?? 0;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
