/** Columns padded to their widest cell, numbers (right-aligned columns) flush right. */
export function textTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  rightAligned: readonly number[] = [],
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

export const percent = (share: number, digits = 1) =>
  Number.isFinite(share) ? `${(100 * share).toFixed(digits)} %` : 'n/a';

/** Small differences in scientific notation, so 3e-8 and 0 stay distinguishable. */
export const scientific = (value: number) =>
  value === 0 ? '0' : Number.isFinite(value) ? value.toExponential(1) : 'n/a';
