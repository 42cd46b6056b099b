// Prints the one line CI reads — `N passed, N failed, N skipped` — from vitest's JSON report.
// No report means the run stopped before the tests (type check, lint, build): that is one failure.
import { existsSync, readFileSync } from 'node:fs'

const file = process.argv[2]
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed')
} else {
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  // A file that fails to load has no tests in the counts; count it as a failure so it cannot hide.
  const brokenSuites = (report.testResults ?? []).filter(
    (suite) => suite.status === 'failed' && suite.assertionResults.length === 0,
  ).length
  console.log(`${report.numPassedTests} passed, ${report.numFailedTests + brokenSuites} failed, ${skipped} skipped`)
}
