import { reportToCsv } from '../../shared/bench/bench-csv.js';
import type { BenchReport } from '../../shared/bench/bench-types.js';

export interface ReportDownload {
  label: string;
  filename: string;
  url: string;
}

/** Object URLs for the report as JSON and CSV; revoke them with revokeDownloads when replaced. */
export function reportDownloads(report: BenchReport): ReportDownload[] {
  const stamp = report.createdAt.replace(/[:.]/g, '-');
  const url = (text: string, type: string) => URL.createObjectURL(new Blob([text], { type }));
  return [
    {
      label: 'JSON',
      filename: `bench-${stamp}.json`,
      url: url(`${JSON.stringify(report, null, 2)}\n`, 'application/json'),
    },
    { label: 'CSV', filename: `bench-${stamp}.csv`, url: url(reportToCsv(report), 'text/csv') },
  ];
}

export function revokeDownloads(downloads: readonly ReportDownload[]): void {
  for (const download of downloads) URL.revokeObjectURL(download.url);
}
