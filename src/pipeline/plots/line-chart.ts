import { formatNumber, niceTicks, paletteColour, svgDocument, text } from './svg.js';

export interface LineSeries {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly colour?: string;
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Fixed y range (e.g. [0, 1] for accuracy); defaults to the data's range. */
  readonly yRange?: readonly [number, number];
  readonly width?: number;
  readonly height?: number;
}

/** Lines over a shared x axis (training curves: loss or kappa per epoch), with a legend. */
export function lineChartSvg(options: LineChartOptions): string {
  const { title, series, xLabel, yLabel, width = 640, height = 400 } = options;
  const margin = { top: 48, right: 150, bottom: 56, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const [yMin, yMax] = options.yRange ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  const ySpan = yMax > yMin ? yMax - yMin : 1;
  const xSpan = xMax > xMin ? xMax - xMin : 1;
  const px = (v: number): number => margin.left + ((v - xMin) / xSpan) * plotW;
  const py = (v: number): number => margin.top + plotH - ((v - yMin) / ySpan) * plotH;
  const parts: string[] = [text(margin.left + plotW / 2, 28, title, { size: 16, anchor: 'middle', weight: 'bold' })];
  for (const t of niceTicks(yMin, yMin + ySpan, 5)) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${py(t)}" y2="${py(t)}" stroke="#e0e0e0"/>`);
    parts.push(text(margin.left - 8, py(t) + 4, formatNumber(t), { size: 11, anchor: 'end' }));
  }
  for (const t of niceTicks(xMin, xMin + xSpan, 6)) {
    parts.push(
      `<line x1="${px(t)}" x2="${px(t)}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 5}" stroke="#444"/>`,
    );
    parts.push(text(px(t), margin.top + plotH + 18, formatNumber(t), { size: 11, anchor: 'middle' }));
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
  );
  series.forEach((s, i) => {
    const colour = s.colour ?? paletteColour(i);
    const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${px(p[0]).toFixed(2)},${py(p[1]).toFixed(2)}`).join(' ');
    if (d)
      parts.push(
        `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    if (s.points.length === 1)
      parts.push(`<circle cx="${px(s.points[0]![0])}" cy="${py(s.points[0]![1])}" r="3" fill="${colour}"/>`);
    const ly = margin.top + 10 + i * 20;
    parts.push(
      `<line x1="${width - margin.right + 12}" x2="${width - margin.right + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(text(width - margin.right + 42, ly + 4, s.name, { size: 12 }));
  });
  if (xLabel) parts.push(text(margin.left + plotW / 2, height - 12, xLabel, { size: 12, anchor: 'middle' }));
  if (yLabel) parts.push(text(18, margin.top + plotH / 2, yLabel, { size: 12, anchor: 'middle', rotate: -90 }));
  return svgDocument(width, height, parts.join('\n'));
}
