import { css, html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { GRADE_NAMES } from '../../shared/grades.js';
import type { FovReport, Heatmap, RgbaPixels } from '../../shared/protocol.js';
import './fg-heatmap.js';
import { strongestRegion } from './fg-heatmap.js';
import { sharedStyles } from './shared-styles.js';

/** The square the models saw, in the preview's pixels: the one around the field-of-view circle. */
export function retinaSquare(fov: FovReport, width: number, height: number) {
  // FovReport's circle: cx and radius in fractions of the image's width, cy of its height.
  const radius = fov.circle.radius * width;
  return { x: fov.circle.cx * width - radius, y: fov.circle.cy * height - radius, side: 2 * radius };
}

/**
 * The chosen photo, upright as the worker decoded it, with the detected field of view circled and,
 * when given, a Grad-CAM heatmap over the square of the retina the models saw (clipped to the photo,
 * where the disc runs past its edge). The overlays are drawn in an SVG on the photo's own pixel grid,
 * so they stay in place however the photo is scaled and letterboxed.
 */
@customElement('fg-photo-preview')
export class FgPhotoPreview extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      figure {
        margin: 0;
      }
      .frame {
        position: relative;
        background: #000;
        border-radius: 8px;
        overflow: hidden;
        line-height: 0;
      }
      canvas,
      svg {
        width: 100%;
        height: auto;
        max-height: 40vh;
        object-fit: contain;
      }
      svg {
        position: absolute;
        inset: 0;
        height: 100%;
      }
      circle {
        fill: none;
        stroke: #4ade80;
        stroke-width: 3;
        stroke-dasharray: 10 6;
        vector-effect: non-scaling-stroke;
      }
      foreignObject fg-heatmap {
        width: 100%;
        height: 100%;
      }
      figcaption {
        margin-top: 0.5rem;
        line-height: 1.4;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) preview: RgbaPixels | null = null;
  @property({ attribute: false }) fov: FovReport | null = null;
  /** Where the model looked, over the retina the models saw; null: not shown. */
  @property({ attribute: false }) heatmap: Heatmap | null = null;
  @property() fileName = '';
  @query('canvas') private canvas!: HTMLCanvasElement | null;

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('preview') && this.preview && this.canvas) {
      const { data, width, height } = this.preview;
      this.canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(data), width, height), 0, 0);
    }
  }

  private describe(): string {
    if (!this.fov) return `Preview of ${this.fileName}`;
    if (!this.fov.found) return `Preview of ${this.fileName}, no retina detected`;
    return `Preview of ${this.fileName}, retina outlined${this.heatmap ? ', heatmap shown' : ''}`;
  }

  /** The heatmap in words, visible under the photo: what the overlay shows to those who cannot see it. */
  private heatmapCaption(map: Heatmap): string {
    const region = strongestRegion(map);
    const where = region ? `strongest in the ${region} of the retina` : 'no region stood out';
    return `Heatmap: where the model looked for grade ${map.grade} (${GRADE_NAMES[map.grade]}), ${where}.`;
  }

  private renderOverlay(width: number, height: number) {
    const fov = this.fov?.found ? this.fov : null;
    if (!fov) return nothing;
    const { circle } = fov;
    const square = retinaSquare(fov, width, height);
    return html`<svg viewBox="0 0 ${width} ${height}" aria-hidden="true" preserveAspectRatio="xMidYMid meet">
      <defs>
        <clipPath id="photo-area"><rect width=${width} height=${height}></rect></clipPath>
      </defs>
      ${
        this.heatmap
          ? svg`<foreignObject
              data-heatmap
              clip-path="url(#photo-area)"
              x=${square.x}
              y=${square.y}
              width=${square.side}
              height=${square.side}
              ><fg-heatmap .heatmap=${this.heatmap}></fg-heatmap
            ></foreignObject>`
          : nothing
      }
      <circle data-fov cx=${circle.cx * width} cy=${circle.cy * height} r=${circle.radius * width}></circle>
    </svg>`;
  }

  override render() {
    if (!this.preview) return nothing;
    const { width, height } = this.preview;
    return html`
      <figure>
        <div class="frame">
          <canvas width=${width} height=${height} role="img" aria-label=${this.describe()}></canvas>
          ${this.renderOverlay(width, height)}
        </div>
        <figcaption class="small muted">
          ${this.fileName}${this.heatmap ? html`<br /><span data-heatmap-caption>${this.heatmapCaption(this.heatmap)}</span>` : nothing}
        </figcaption>
      </figure>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-photo-preview': FgPhotoPreview;
  }
}
