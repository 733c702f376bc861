import { css, html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { FovReport, RgbaPixels } from '../../shared/protocol.js';
import { sharedStyles } from './shared-styles.js';

/** The chosen photo, upright as the worker decoded it, with the detected field of view circled. */
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
      figcaption {
        margin-top: 0.5rem;
        line-height: 1.4;
      }
    `,
  ];

  @property({ attribute: false }) preview: RgbaPixels | null = null;
  @property({ attribute: false }) fov: FovReport | null = null;
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
    return this.fov.found
      ? `Preview of ${this.fileName}, retina outlined`
      : `Preview of ${this.fileName}, no retina detected`;
  }

  override render() {
    if (!this.preview) return nothing;
    const { width, height } = this.preview;
    const circle = this.fov?.found ? this.fov.circle : null;
    return html`
      <figure>
        <div class="frame">
          <canvas width=${width} height=${height} role="img" aria-label=${this.describe()}></canvas>
          ${
            circle
              ? html`<svg viewBox="0 0 ${width} ${height}" aria-hidden="true" preserveAspectRatio="xMidYMid meet">
                  ${svg`<circle data-fov cx=${circle.cx * width} cy=${circle.cy * height} r=${circle.radius * width}></circle>`}
                </svg>`
              : nothing
          }
        </div>
        <figcaption class="small muted">${this.fileName}</figcaption>
      </figure>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-photo-preview': FgPhotoPreview;
  }
}
