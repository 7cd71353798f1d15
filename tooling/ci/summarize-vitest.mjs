// Sums vitest's JSON reports (one per package) into the line CI ends with:
// "N passed, M failed". Exits non-zero when a test failed or no report exists.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'apps', 'examples'];
let passed = 0;
let failed = 0;
let reports = 0;
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const folder of readdirSync(root)) {
    const reportPath = join(root, folder, '.vitest-result.json');
    if (!existsSync(reportPath)) continue;
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    reports++;
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0);
    // A test file that fails to load has no tests but counts as a failure.
    for (const file of report.testResults ?? []) {
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++;
    }
  }
}
if (reports === 0) failed++;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
