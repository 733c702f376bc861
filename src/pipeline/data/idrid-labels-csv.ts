/**
 * IDRiD's disease-grading label file, as published: header
 * `Image name,Retinopathy grade,Risk of macular edema ` (trailing space, sometimes trailing commas),
 * then rows like `IDRiD_001,3,2,,,,,,,,,`. Read leniently where files differ harmlessly (BOM, CRLF,
 * header case and spaces, blank lines, trailing empty columns on any line, quoted fields, an
 * extension on the id) and strictly where a mistake would corrupt training (unknown grade or edema
 * risk, duplicate or empty id, a non-empty cell beyond the three columns, too few columns).
 */
import { isGrade, type Grade } from '../../shared/grades.js';
import { DataError } from './data-error.js';
import { isMacularEdemaRisk, type MacularEdemaRisk } from './fundus-record.js';

export interface IdridLabelRow {
  /** Id without extension, e.g. `IDRiD_001`. */
  readonly image: string;
  readonly level: Grade;
  readonly macularEdemaRisk: MacularEdemaRisk;
  /** 1-based line in the file, for messages. */
  readonly line: number;
}

/** The three columns, in order, as the published file names them (less the trailing space). */
export const IDRID_COLUMNS = ['Image name', 'Retinopathy grade', 'Risk of macular edema'] as const;
const EXPECTED_HEADER = IDRID_COLUMNS.join(',');

const IMAGE_EXTENSION = /\.(jpe?g|png)$/i;

/**
 * Split one CSV line into trimmed fields. Quoted fields may hold commas and `""`; returns a string
 * describing the problem when the quoting is malformed (multi-line fields are not supported).
 */
export function splitCsvLine(raw: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (i < raw.length && (raw[i] === ' ' || raw[i] === '\t')) i++;
    if (raw[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= raw.length) return `unterminated quoted field in column ${fields.length + 1}`;
        if (raw[i] === '"') {
          if (raw[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += raw[i++];
      }
      while (i < raw.length && (raw[i] === ' ' || raw[i] === '\t')) i++;
      if (i < raw.length && raw[i] !== ',') return `unexpected text after the closing quote in column ${fields.length + 1}`;
      fields.push(value.trim());
    } else {
      const end = raw.indexOf(',', i);
      const stop = end < 0 ? raw.length : end;
      const value = raw.slice(i, stop).trim();
      if (value.includes('"')) return `stray quote in column ${fields.length + 1} ("${value}")`;
      fields.push(value);
      i = stop;
    }
    if (i >= raw.length) return fields;
    i++; // the comma
  }
}

function normaliseHeaderCell(cell: string): string {
  return cell.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Whether a (header) line starts with IDRiD's three columns, ignoring case, spaces and quotes. */
export function isIdridHeader(line: string): boolean {
  const fields = splitCsvLine(line.replace(/^\uFEFF/, ''));
  if (typeof fields === 'string' || fields.length < IDRID_COLUMNS.length) return false;
  return IDRID_COLUMNS.every((name, i) => normaliseHeaderCell(fields[i]!) === name.toLowerCase());
}

/** Index of the first non-empty cell at or after `from`, or -1. */
function firstNonEmpty(fields: readonly string[], from: number): number {
  for (let i = from; i < fields.length; i++) if (fields[i] !== '') return i;
  return -1;
}

export function parseIdridLabelsCsv(text: string, fileName: string): IdridLabelRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new DataError(fileName, undefined, `file is empty (expected the IDRiD header "${EXPECTED_HEADER}")`);
  const headerRaw = lines[headerAt]!;
  const headerLine = headerAt + 1;
  if (!isIdridHeader(headerRaw)) {
    throw new DataError(fileName, headerLine, `expected the IDRiD header "${EXPECTED_HEADER}", got "${headerRaw.trim()}"`);
  }
  const headerFields = splitCsvLine(headerRaw) as string[];
  const extraHeader = firstNonEmpty(headerFields, IDRID_COLUMNS.length);
  if (extraHeader >= 0) {
    throw new DataError(fileName, headerLine, `unexpected column ${extraHeader + 1} "${headerFields[extraHeader]}" in the header (IDRiD has only "${EXPECTED_HEADER}")`);
  }

  const rows: IdridLabelRow[] = [];
  const firstSeen = new Map<string, number>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const fields = splitCsvLine(raw);
    if (typeof fields === 'string') throw new DataError(fileName, line, `malformed row "${raw.trim()}": ${fields}`);
    // A row of nothing but commas is a blank line as spreadsheets export it.
    if (firstNonEmpty(fields, 0) < 0) continue;
    if (fields.length < IDRID_COLUMNS.length) {
      throw new DataError(fileName, line, `malformed row "${raw.trim()}": expected ${IDRID_COLUMNS.length} columns (${EXPECTED_HEADER}), got ${fields.length}`);
    }
    const extra = firstNonEmpty(fields, IDRID_COLUMNS.length);
    if (extra >= 0) {
      throw new DataError(fileName, line, `unexpected value "${fields[extra]}" in column ${extra + 1} of row "${raw.trim()}" (only ${IDRID_COLUMNS.length} columns are labelled: ${EXPECTED_HEADER})`);
    }
    const image = fields[0]!.replace(IMAGE_EXTENSION, '');
    if (image === '') throw new DataError(fileName, line, 'empty image id');
    const gradeText = fields[1]!;
    const level = /^\d+$/.test(gradeText) ? Number(gradeText) : NaN;
    if (!isGrade(level)) throw new DataError(fileName, line, `unknown retinopathy grade "${gradeText}" for image "${image}" (expected an integer 0-4)`);
    const riskText = fields[2]!;
    const risk = /^\d+$/.test(riskText) ? Number(riskText) : NaN;
    if (!isMacularEdemaRisk(risk)) throw new DataError(fileName, line, `unknown risk of macular edema "${riskText}" for image "${image}" (expected an integer 0-2)`);
    const previous = firstSeen.get(image);
    if (previous !== undefined) throw new DataError(fileName, line, `duplicate image "${image}" (first listed on line ${previous})`);
    firstSeen.set(image, line);
    rows.push({ image, level, macularEdemaRisk: risk, line });
  }
  if (rows.length === 0) throw new DataError(fileName, undefined, 'no label rows after the header');
  return rows;
}
