import { formatNumber, niceTicks, paletteColour, svgDocument, text } from './svg.js';

export interface BarChartOptions {
  readonly title: string;
  readonly categories: readonly string[];
  readonly values: readonly number[];
  readonly yLabel?: string;
  /** One colour per bar; defaults to the palette in order. */
  readonly colours?: readonly string[];
  /** Text above each bar; defaults to the value. */
  readonly barLabels?: readonly string[];
  readonly width?: number;
  readonly height?: number;
}

/** A vertical bar chart, one bar per category, as an SVG document. */
export function barChartSvg(options: BarChartOptions): string {
  const { title, categories, values, yLabel, width = 640, height = 400 } = options;
  if (categories.length !== values.length)
    throw new RangeError(`${categories.length} categories but ${values.length} values`);
  const margin = { top: 48, right: 20, bottom: 44, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const ticks = niceTicks(0, Math.max(1e-9, ...values) * 1.1, 5);
  const top = Math.max(ticks[ticks.length - 1]!, ...values);
  const y = (v: number): number => margin.top + plotH - (v / top) * plotH;
  const parts: string[] = [text(width / 2, 28, title, { size: 16, anchor: 'middle', weight: 'bold' })];
  for (const t of ticks) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#e0e0e0"/>`);
    parts.push(text(margin.left - 8, y(t) + 4, formatNumber(t), { size: 11, anchor: 'end' }));
  }
  const slot = plotW / Math.max(1, categories.length);
  categories.forEach((category, i) => {
    const v = values[i]!;
    const x = margin.left + i * slot + slot * 0.15;
    const colour = options.colours?.[i] ?? paletteColour(i);
    parts.push(
      `<rect x="${x}" y="${y(v)}" width="${slot * 0.7}" height="${margin.top + plotH - y(v)}" fill="${colour}"/>`,
    );
    parts.push(
      text(x + slot * 0.35, y(v) - 6, options.barLabels?.[i] ?? formatNumber(v), { size: 11, anchor: 'middle' }),
    );
    parts.push(text(x + slot * 0.35, margin.top + plotH + 20, category, { size: 12, anchor: 'middle' }));
  });
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#444"/>`,
  );
  if (yLabel) parts.push(text(18, margin.top + plotH / 2, yLabel, { size: 12, anchor: 'middle', rotate: -90 }));
  return svgDocument(width, height, parts.join('\n'));
}
