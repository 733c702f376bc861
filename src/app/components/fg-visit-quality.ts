import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { InspectResult } from '../../shared/protocol.js';
import { sharedStyles } from './shared-styles.js';

/**
 * What the worker found in a photo: the retina (or why none was found), the photo's size, and the
 * quality gate's verdict, each reason with its measured value and limit ("Ungradable: too blurred
 * (focus 12, needs ≥ 28) — retake the photo").
 */
@customElement('fg-visit-quality')
export class FgVisitQuality extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.5rem;
      }
      p {
        margin: 0;
      }
      .notice p + p {
        margin-top: 0.35rem;
      }
    `,
  ];

  @property({ attribute: false }) inspect: InspectResult | null = null;

  override render() {
    if (!this.inspect) return nothing;
    const { image, fov, quality } = this.inspect;
    if (!fov.found) return html`<p class="notice warning" data-no-retina>${fov.message}</p>`;
    const analysed =
      image.width !== image.sourceWidth && image.height !== image.sourceHeight
        ? `, analysed at ${image.width}×${image.height}`
        : '';
    return html`<p class="small muted">
        Retina found (${image.sourceWidth}×${image.sourceHeight} ${image.format.toUpperCase()}${analysed}).
      </p>
      ${
        quality.verdict === 'gradable'
          ? html`<p class="small" data-quality="gradable">Quality check: gradable.</p>`
          : html`<div class="notice warning" data-quality="ungradable">
              ${quality.issues.map((issue) => html`<p>${issue.message}</p>`)}
            </div>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-visit-quality': FgVisitQuality;
  }
}
