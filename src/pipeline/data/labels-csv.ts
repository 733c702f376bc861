/**
 * Kaggle's EyePACS label file: `image,level`, one row per image, image id without extension.
 * Read leniently where files differ harmlessly (BOM, CRLF, header case, spaces, extra columns,
 * an extension on the id) and strictly where a mistake would corrupt training (bad or unknown
 * level, duplicate id, wrong column count).
 */
import { isGrade, type Grade } from '../../shared/grades.js';
import { DataError } from './data-error.js';

export interface LabelRow {
  readonly image: string;
  readonly level: Grade;
  /** 1-based line in the file, for messages. */
  readonly line: number;
}

const IMAGE_EXTENSION = /\.(jpe?g|png)$/i;

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed;
}

export function parseLabelsCsv(text: string, fileName: string): LabelRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new DataError(fileName, undefined, 'file is empty (expected a header "image,level")');
  const header = lines[headerAt]!.split(',').map((h) => unquote(h).toLowerCase());
  const imageCol = header.indexOf('image');
  const levelCol = header.indexOf('level');
  if (imageCol < 0 || levelCol < 0) {
    throw new DataError(fileName, headerAt + 1, `expected a header with columns "image" and "level", got "${lines[headerAt]!.trim()}"`);
  }
  const rows: LabelRow[] = [];
  const firstSeen = new Map<string, number>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const fields = raw.split(',').map(unquote);
    if (fields.length !== header.length) {
      throw new DataError(fileName, line, `malformed row "${raw.trim()}": expected ${header.length} comma-separated fields, got ${fields.length}`);
    }
    const image = fields[imageCol]!.replace(IMAGE_EXTENSION, '');
    if (image === '') throw new DataError(fileName, line, 'empty image id');
    const levelText = fields[levelCol]!;
    const level = /^\d+$/.test(levelText) ? Number(levelText) : NaN;
    if (!isGrade(level)) throw new DataError(fileName, line, `unknown level "${levelText}" for image "${image}" (expected an integer 0-4)`);
    const previous = firstSeen.get(image);
    if (previous !== undefined) throw new DataError(fileName, line, `duplicate image "${image}" (first listed on line ${previous})`);
    firstSeen.set(image, line);
    rows.push({ image, level, line });
  }
  if (rows.length === 0) throw new DataError(fileName, undefined, 'no label rows after the header');
  return rows;
}

export function formatLabelsCsv(rows: ReadonlyArray<{ readonly image: string; readonly level: Grade }>): string {
  return ['image,level', ...rows.map((r) => `${r.image},${r.level}`)].join('\n') + '\n';
}
