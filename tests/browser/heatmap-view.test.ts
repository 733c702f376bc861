import { expect, fixture, html } from '@open-wc/testing';
import '../../src/app/components/fg-heatmap.js';
import { heatmapColour, strongestRegion, type FgHeatmap } from '../../src/app/components/fg-heatmap.js';
import type { Heatmap } from '../../src/shared/protocol.js';

/** A 3×3 map whose only hot cell is (column, row). */
function hotCell(column: number, row: number, grade: Heatmap['grade'] = 3): Heatmap {
  const values = new Array<number>(9).fill(0);
  values[row * 3 + column] = 1;
  return { grade, width: 3, height: 3, values, ms: 1 };
}

describe('<fg-heatmap>', () => {
  it('leaves weak cells transparent and makes strong ones redder and more opaque', () => {
    expect(heatmapColour(0)[3]).to.equal(0);
    expect(heatmapColour(0.1)[3]).to.equal(0);
    const [, greenMid, , alphaMid] = heatmapColour(0.5);
    const [red, greenTop, , alphaTop] = heatmapColour(1);
    expect(red).to.equal(255);
    expect(greenTop).to.be.below(greenMid);
    expect(alphaTop).to.be.above(alphaMid);
    expect(heatmapColour(7)).to.deep.equal(heatmapColour(1));
  });

  it('names the region of the strongest cell', () => {
    expect(strongestRegion(hotCell(0, 0))).to.equal('upper left');
    expect(strongestRegion(hotCell(1, 1))).to.equal('centre');
    expect(strongestRegion(hotCell(2, 1))).to.equal('right');
    expect(strongestRegion(hotCell(1, 2))).to.equal('lower');
    expect(strongestRegion({ grade: 0, width: 2, height: 2, values: [0, 0, 0, 0], ms: 0 })).to.equal('');
  });

  it('draws the grid into its canvas and says where the model looked', async () => {
    const el = await fixture<FgHeatmap>(html`<fg-heatmap .heatmap=${hotCell(2, 0)}></fg-heatmap>`);
    const canvas = el.shadowRoot!.querySelector('canvas')!;
    expect([canvas.width, canvas.height]).to.deep.equal([3, 3]);
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, 3, 3).data;
    const alphaAt = (column: number, row: number) => pixels[(row * 3 + column) * 4 + 3];
    expect(alphaAt(2, 0)).to.be.above(150);
    expect(alphaAt(0, 2)).to.equal(0);
    expect(canvas.getAttribute('aria-label')).to.contain('grade 3, Severe').and.contain('upper right');

    el.heatmap = null;
    await el.updateComplete;
    expect(canvas.getAttribute('aria-label')).to.equal('No heatmap');
    expect(canvas.getContext('2d')!.getImageData(2, 0, 1, 1).data[3]).to.equal(0);
  });
});
