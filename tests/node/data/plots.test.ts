import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { barChartSvg } from '../../../src/pipeline/plots/bar-chart.js';
import { confusionMatrixSvg } from '../../../src/pipeline/plots/confusion-matrix.js';
import { contactSheetPng } from '../../../src/pipeline/plots/contact-sheet.js';
import { lineChartSvg } from '../../../src/pipeline/plots/line-chart.js';
import { svgToPng } from '../../../src/pipeline/plots/rasterise.js';
import { escapeXml, niceTicks } from '../../../src/pipeline/plots/svg.js';

/** Share of pixels that are not (near) white: proof something was drawn. */
async function inkShare(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) ink++;
  return ink / (info.width * info.height);
}

describe('plots', () => {
  it('rasterises a bar chart at its declared size with bars and text', async () => {
    const svg = barChartSvg({ title: 'Grades <&>', categories: ['a', 'b', 'c'], values: [5, 0, 12], width: 500, height: 300 });
    assert.match(svg, /Grades &lt;&amp;&gt;/);
    const png = await svgToPng(svg);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.width, meta.height], [500, 300]);
    assert.ok((await inkShare(png)) > 0.05);
    assert.throws(() => barChartSvg({ title: '', categories: ['a'], values: [1, 2] }), /1 categories but 2 values/);
  });

  it('draws line charts with one path per series', async () => {
    const svg = lineChartSvg({
      title: 'Loss',
      series: [
        { name: 'train', points: [[1, 1.2], [2, 0.8], [3, 0.5]] },
        { name: 'validation', points: [[1, 1.3], [2, 1.0], [3, 0.9]], dashed: true },
      ],
      xLabel: 'epoch',
      yLabel: 'loss',
    });
    assert.equal(svg.match(/<path /g)?.length, 2);
    assert.ok((await inkShare(await svgToPng(svg))) > 0.01);
  });

  it('draws a confusion matrix with counts and row shares, and checks its shape', async () => {
    const svg = confusionMatrixSvg({ title: 'Validation', labels: ['0', '1'], counts: [[8, 2], [1, 9]] });
    assert.match(svg, />8<\/text>/);
    assert.match(svg, />\(80%\)<\/text>/);
    assert.match(svg, />\(90%\)<\/text>/);
    assert.ok((await inkShare(await svgToPng(svg))) > 0.1);
    assert.throws(() => confusionMatrixSvg({ title: '', labels: ['0', '1'], counts: [[1, 2]] }), /2x2/);
  });

  it('lays out a contact sheet with one row per group', async () => {
    const tile = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c05030' } }).png().toBuffer();
    const png = await contactSheetPng({ title: 'Sheet', rows: [{ label: 'one', images: [tile, tile] }, { label: 'two', images: [tile] }], tileSize: 50 });
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.width, meta.height], [170 + 2 * 56 + 6, 44 + 2 * 56 + 6]);
  });

  it('picks round tick values and escapes XML', () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 730, 5), [0, 200, 400, 600]);
    assert.equal(escapeXml(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
  });
});
