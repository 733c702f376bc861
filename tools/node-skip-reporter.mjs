// node:test reporter used by tools/run-tests.mjs next to `spec`: one JSON line per skipped test or
// suite ({ where, reason }), so the summary can say what did not run and why. A skipped suite is one
// line (node:test's own "skipped" count leaves whole suites out).
import { relative } from 'node:path';

export default async function* skipReporter(source) {
  /** Per file, the names of the suites enclosing the test being reported, by nesting level. */
  const paths = new Map();
  for await (const event of source) {
    const data = event.data ?? {};
    const file = data.file ? relative(process.cwd(), data.file) : '';
    if (event.type === 'test:start') {
      const path = paths.get(file) ?? [];
      path.length = data.nesting;
      path.push(data.name);
      paths.set(file, path);
    } else if (
      (event.type === 'test:pass' || event.type === 'test:fail') &&
      data.skip !== undefined &&
      data.skip !== false
    ) {
      const enclosing = (paths.get(file) ?? []).slice(0, data.nesting);
      const where = [file, ...enclosing, data.name].filter(Boolean).join(' › ');
      yield `${JSON.stringify({ where, reason: typeof data.skip === 'string' ? data.skip : '' })}\n`;
    }
  }
}
