import sharp from 'sharp';
import { escapeXml, FONT } from './svg.js';

export interface ContactSheetRow {
  readonly label: string;
  /** Encoded images (any format sharp reads). */
  readonly images: readonly Buffer[];
}

export interface ContactSheetOptions {
  readonly title: string;
  readonly rows: readonly ContactSheetRow[];
  readonly tileSize?: number;
}

/** A labelled grid of thumbnails, one row per group (e.g. per grade), as PNG. */
export async function contactSheetPng(options: ContactSheetOptions): Promise<Buffer> {
  const { title, rows, tileSize = 128 } = options;
  const gap = 6;
  const labelWidth = 170;
  const header = 44;
  const columns = Math.max(1, ...rows.map((r) => r.images.length));
  const width = labelWidth + columns * (tileSize + gap) + gap;
  const height = header + rows.length * (tileSize + gap) + gap;
  const tiles = await Promise.all(
    rows.flatMap((row, r) =>
      row.images.map(async (image, c) => ({
        input: await sharp(image).resize(tileSize, tileSize, { fit: 'contain', background: '#000000' }).toBuffer(),
        left: labelWidth + gap + c * (tileSize + gap),
        top: header + gap + r * (tileSize + gap),
      })),
    ),
  );
  const labels = rows
    .map((row, r) => {
      const y = header + gap + r * (tileSize + gap) + tileSize / 2 + 5;
      return `<text x="12" y="${y}" font-size="15" fill="#ffffff">${escapeXml(row.label)}</text>`;
    })
    .join('\n');
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${FONT}">
<text x="12" y="29" font-size="18" font-weight="bold" fill="#ffffff">${escapeXml(title)}</text>
${labels}
</svg>`;
  return sharp({ create: { width, height, channels: 3, background: '#202020' } })
    .composite([...tiles, { input: Buffer.from(overlay), left: 0, top: 0 }])
    .png()
    .toBuffer();
}
