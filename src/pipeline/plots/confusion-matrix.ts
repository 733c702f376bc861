import { svgDocument, text } from './svg.js';

export interface ConfusionMatrixOptions {
  readonly title: string;
  /** Class names, in the order of the matrix's rows (true class) and columns (predicted class). */
  readonly labels: readonly string[];
  /** counts[true][predicted]. */
  readonly counts: readonly (readonly number[])[];
  readonly cellSize?: number;
}

/**
 * A confusion matrix heatmap: each cell shows its count and, in brackets, its share of the true
 * class (the row), and is shaded by that share so rare classes are as readable as common ones.
 */
export function confusionMatrixSvg(options: ConfusionMatrixOptions): string {
  const { title, labels, counts, cellSize = 72 } = options;
  const n = labels.length;
  if (counts.length !== n || counts.some((row) => row.length !== n))
    throw new RangeError(`confusion matrix must be ${n}x${n}`);
  const left = 150;
  const top = 90;
  const width = left + n * cellSize + 30;
  const height = top + n * cellSize + 40;
  const parts: string[] = [text(width / 2, 28, title, { size: 16, anchor: 'middle', weight: 'bold' })];
  parts.push(text(left + (n * cellSize) / 2, 60, 'Predicted', { size: 13, anchor: 'middle', weight: 'bold' }));
  parts.push(text(22, top + (n * cellSize) / 2, 'True', { size: 13, anchor: 'middle', weight: 'bold', rotate: -90 }));
  labels.forEach((label, i) => {
    parts.push(text(left + i * cellSize + cellSize / 2, top - 10, label, { size: 11, anchor: 'middle' }));
    parts.push(text(left - 8, top + i * cellSize + cellSize / 2 + 4, label, { size: 11, anchor: 'end' }));
  });
  counts.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const share = total ? count / total : 0;
      // White to dark blue; text flips to white on dark cells.
      const shade = Math.round(255 - share * 200);
      const fill = `rgb(${shade},${Math.round(255 - share * 140)},255)`;
      const x = left + j * cellSize;
      const y = top + i * cellSize;
      parts.push(`<rect x="${x}" y="${y}" width="${cellSize}" height="${cellSize}" fill="${fill}" stroke="#ffffff"/>`);
      const ink = share > 0.55 ? '#ffffff' : '#222222';
      parts.push(
        text(x + cellSize / 2, y + cellSize / 2, String(count), {
          size: 14,
          anchor: 'middle',
          weight: 'bold',
          fill: ink,
        }),
      );
      parts.push(
        text(x + cellSize / 2, y + cellSize / 2 + 17, `(${(share * 100).toFixed(0)}%)`, {
          size: 11,
          anchor: 'middle',
          fill: ink,
        }),
      );
    });
  });
  return svgDocument(width, height, parts.join('\n'));
}
