/**
 * `--compare A.json B.json`: for every configuration and batch size in both reports, how B's numbers
 * relate to A's (B/A: below 1 means B is faster).
 */
import { readFile } from 'node:fs/promises';
import { textTable } from '../pipeline/parity/text-table.js';
import type { BenchReport } from '../shared/bench/bench-types.js';
import { assertValidReport } from './validate-report.js';

export async function readReport(path: string): Promise<BenchReport> {
  return assertValidReport(JSON.parse(await readFile(path, 'utf8')), path);
}

const ratio = (b: number | null | undefined, a: number | null | undefined) =>
  a && b !== null && b !== undefined ? `${(b / a).toFixed(2)}×` : '—';

function describe(report: BenchReport): string {
  const { browser, node } = report.environment;
  return `${report.createdAt} · ${report.model.id}/${report.model.version} · ${browser?.browser ?? 'no browser'} · ${node ? `${node.cpu} ×${node.cpuCount}` : ''}`;
}

export function compareReports(a: BenchReport, b: BenchReport): string {
  const rows: string[][] = [];
  for (const before of a.results) {
    const after = b.results.find((r) => r.key === before.key);
    if (!after) continue;
    for (const batchA of before.batches) {
      const batchB = after.batches.find((x) => x.batch === batchA.batch);
      if (!batchB) continue;
      rows.push([
        before.key,
        String(batchA.batch),
        ratio(after.initMs, before.initMs),
        ratio(batchB.firstMs, batchA.firstMs),
        ratio(batchB.latencyMs?.p50, batchA.latencyMs?.p50),
        ratio(batchB.latencyMs?.p90, batchA.latencyMs?.p90),
        ratio(batchB.latencyMs?.mean, batchA.latencyMs?.mean),
        ratio(batchB.imagesPerSecond, batchA.imagesPerSecond),
      ]);
    }
  }
  const header = ['configuration', 'batch', 'init', 'first', 'p50', 'p90', 'mean', 'img/s'];
  const onlyIn = (x: BenchReport, y: BenchReport) =>
    x.results.filter((r) => !y.results.some((s) => s.key === r.key)).map((r) => r.key);
  return [
    `A: ${describe(a)}`,
    `B: ${describe(b)}`,
    'B/A (below 1× = B takes less time; img/s above 1× = B is faster):',
    '',
    rows.length ? textTable(header, rows, [1, 2, 3, 4, 5, 6, 7]) : 'no configuration measured in both reports',
    ...(
      [
        ['only in A', onlyIn(a, b)],
        ['only in B', onlyIn(b, a)],
      ] as const
    ).flatMap(([label, keys]) => (keys.length ? [`${label}: ${keys.join(', ')}`] : [])),
  ].join('\n');
}
