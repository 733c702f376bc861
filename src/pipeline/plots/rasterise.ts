import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

/** librsvg's unit: at this density one SVG user unit is one pixel. */
const SVG_DENSITY = 72;

/**
 * Render SVG text to PNG with sharp (librsvg draws the text with the system fonts via fontconfig).
 * `scale` 2 gives a sharper image at twice the declared width and height.
 */
export async function svgToPng(svg: string, scale = 1): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: SVG_DENSITY * scale })
    .png()
    .toBuffer();
}

export async function writeSvgAsPng(path: string, svg: string, scale = 1): Promise<void> {
  await writeFile(path, await svgToPng(svg, scale));
}
