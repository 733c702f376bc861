// web-test-runner reporter used by tools/run-tests.mjs: when FG_SKIP_REPORT names a file, writes one
// JSON line per skipped test ({ where, reason }) there as each test file finishes. Mocha's this.skip()
// takes no reason, so a browser test that skips logs it first: console.log('skipped: <reason>') (wtr does not collect console.info).
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';

const REASON = /^skipped: (.*)$/s;

function skippedTests(suite, path, out) {
  for (const test of suite.tests) if (test.skipped) out.push([...path, test.name].join(' › '));
  for (const child of suite.suites) skippedTests(child, [...path, child.name], out);
  return out;
}

export function skipReporter(destination = process.env.FG_SKIP_REPORT) {
  return {
    reportTestFileResults({ sessionsForTestFile, testFile }) {
      if (!destination) return;
      const lines = [];
      for (const session of sessionsForTestFile) {
        if (!session.testResults) continue;
        const skipped = skippedTests(session.testResults, [relative(process.cwd(), testFile)], []);
        if (!skipped.length) continue;
        const reasons = session.logs
          .map((args) => (typeof args[0] === 'string' ? REASON.exec(args[0])?.[1] : undefined))
          .filter(Boolean);
        // One reason per skipped test, in order, when each said why; otherwise every reason the file gave.
        skipped.forEach((where, i) =>
          lines.push(
            JSON.stringify({ where, reason: reasons.length === skipped.length ? reasons[i] : reasons.join('; ') }),
          ),
        );
      }
      if (lines.length) appendFileSync(destination, `${lines.join('\n')}\n`);
    },
  };
}
