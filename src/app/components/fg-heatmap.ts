import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { GRADE_NAMES } from '../../shared/grades.js';
import type { Heatmap } from '../../shared/protocol.js';

/** Below this a cell is drawn fully transparent: faint evidence would only tint the whole retina. */
const VISIBLE_FROM = 0.15;

/**
 * Colour of a cell: transparent → yellow → red as the value rises, alpha growing with it, so the photo
 * stays readable under weak cells and the strongest ones stand out in any part of the retina.
 */
export function heatmapColour(value: number): [number, number, number, number] {
  const v = Math.min(1, Math.max(0, value));
  if (v < VISIBLE_FROM) return [0, 0, 0, 0];
  const t = (v - VISIBLE_FROM) / (1 - VISIBLE_FROM);
  return [255, Math.round(230 * (1 - t)), 0, Math.round(60 + 150 * t)];
}

const ROWS = ['upper', 'middle', 'lower'] as const;
const COLUMNS = ['left', 'centre', 'right'] as const;

/** Where the strongest cell lies, in words a screen reader can say ("upper left"); '' for an empty map. */
export function strongestRegion({ width, height, values }: Heatmap): string {
  let best = -1;
  let value = 0;
  values.forEach((v, i) => {
    if (v > value) [best, value] = [i, v];
  });
  if (best < 0) return '';
  const row = ROWS[Math.min(2, Math.floor(((Math.floor(best / width) + 0.5) / height) * 3))]!;
  const column = COLUMNS[Math.min(2, Math.floor((((best % width) + 0.5) / width) * 3))]!;
  if (row === 'middle' && column === 'centre') return 'centre';
  if (row === 'middle') return column;
  if (column === 'centre') return row;
  return `${row} ${column}`;
}

/**
 * A Grad-CAM heatmap drawn over whatever box its parent gives it (the retina crop the models saw). The
 * grid is drawn at its own size and scaled by the browser, whose smoothing interpolates between cells.
 */
@customElement('fg-heatmap')
export class FgHeatmap extends LitElement {
  static override styles = css`
    :host {
      display: block;
      pointer-events: none;
    }
    canvas {
      display: block;
      width: 100%;
      height: 100%;
      image-rendering: auto;
    }
  `;

  @property({ attribute: false }) heatmap: Heatmap | null = null;
  @query('canvas') private canvas!: HTMLCanvasElement;

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('heatmap')) this.draw();
  }

  private draw(): void {
    const map = this.heatmap;
    const context = this.canvas.getContext('2d');
    if (!context) return;
    if (!map || map.width < 1 || map.height < 1 || map.values.length !== map.width * map.height) {
      context.clearRect(0, 0, this.canvas.width, this.canvas.height);
      return;
    }
    this.canvas.width = map.width;
    this.canvas.height = map.height;
    const image = context.createImageData(map.width, map.height);
    map.values.forEach((value, i) => image.data.set(heatmapColour(value), i * 4));
    context.putImageData(image, 0, 0);
  }

  override render() {
    const map = this.heatmap;
    const region = map ? strongestRegion(map) : '';
    const label = !map
      ? 'No heatmap'
      : region
        ? `Where the model looked for grade ${map.grade}, ${GRADE_NAMES[map.grade]}: strongest in the ${region} of the retina`
        : `Where the model looked for grade ${map.grade}, ${GRADE_NAMES[map.grade]}: no region stood out`;
    return html`<canvas role="img" aria-label=${label}></canvas>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-heatmap': FgHeatmap;
  }
}
