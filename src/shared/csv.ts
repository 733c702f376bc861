/**
 * The one CSV writer (RFC 4180): CRLF after every row, the last one too; a cell is quoted when it
 * holds a comma, a double quote, CR or LF, and its quotes are doubled. Runs in every context.
 */

export type CsvValue = string | number | boolean | null | undefined;

export interface CsvOptions {
  /**
   * Put an apostrophe before text (string values only) that a spreadsheet would run as a formula:
   * a leading =, +, -, @, tab or CR. For files whose text comes from users (a patient id typed as
   * "=HYPERLINK(...)" must stay text). Default off.
   */
  guardFormulas?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null and undefined are empty; anything else as String() writes it. */
export function csvCell(value: CsvValue, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (options.guardFormulas && typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of cells (the header is a row like any other) as CSV text. */
export function toCsv(rows: Iterable<readonly CsvValue[]>, options: CsvOptions = {}): string {
  let text = '';
  for (const row of rows) text += `${row.map((value) => csvCell(value, options)).join(',')}\r\n`;
  return text;
}
