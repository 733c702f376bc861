import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { gradeName } from '../../shared/grades.js';
import type { Heatmap } from '../../shared/protocol.js';
import { EYE_NAMES } from '../../shared/visit-outcome.js';
import type { PhotoRecord, ScreeningRecord } from '../records/screening-record.js';
import { expandHeatmap } from '../records/stored-heatmap.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';
import './fg-heatmap.js';
import { sharedStyles } from './shared-styles.js';
import {
  milliseconds,
  photoFactStyles,
  renderFile,
  renderGradedOutcome,
  renderProbabilities,
  renderQuality,
  renderRunAndModel,
} from './visit-photo-facts.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * One saved photo of a visit, everything its record holds: the retina crop the models saw, with both
 * variants' heatmaps on request; the grading (probabilities, backends and times, model) or why it was not
 * graded; the quality check; the file. "Delete photo" dispatches `fg-delete-photos` with its id.
 */
@customElement('fg-visit-photo')
export class FgVisitPhoto extends LitElement {
  static override styles = [
    sharedStyles,
    photoFactStyles,
    css`
      :host {
        display: block;
      }
      article {
        border-top: 1px solid var(--fg-border);
        padding-top: 0.75rem;
        margin-top: 0.75rem;
      }
      h4 {
        margin: 0 0 0.5rem;
        font-size: 1rem;
        overflow-wrap: anywhere;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.75rem;
      }
      @media (min-width: 720px) {
        .layout {
          grid-template-columns: minmax(0, 2fr) minmax(0, 3fr);
        }
      }
      /* Two frames side by side where they fit; the photo alone takes one of them. */
      .images {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(7.5rem, 1fr));
        gap: 0.5rem;
        max-width: 25rem;
        margin: 0;
      }
      figure {
        margin: 0;
      }
      .frame {
        position: relative;
        aspect-ratio: 1;
        border-radius: 8px;
        overflow: hidden;
        background: #000;
      }
      .frame img {
        display: block;
        width: 100%;
        height: 100%;
        object-fit: cover;
      }
      .frame fg-heatmap {
        position: absolute;
        inset: 0;
      }
      figcaption {
        font-size: 0.875rem;
        margin-top: 0.25rem;
      }
      button[aria-pressed='true'] {
        border-color: var(--fg-accent);
        box-shadow: inset 0 0 0 1px var(--fg-accent);
        font-weight: 600;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) record: PhotoRecord | null = null;
  /** The thumbnail's object URL (the list owns it); empty when the photo has none. */
  @property() thumbnail = '';
  @state() private showHeatmap = false;

  private deletePhoto(record: PhotoRecord): void {
    this.dispatchEvent(
      new CustomEvent('fg-delete-photos', { detail: { ids: [record.id] }, bubbles: true, composed: true }),
    );
  }

  private renderFrame(alt: string, heatmap: Heatmap | null) {
    return html`<div class="frame">
      ${this.thumbnail ? html`<img src=${this.thumbnail} alt=${alt} />` : nothing}
      ${heatmap ? html`<fg-heatmap .heatmap=${heatmap}></fg-heatmap>` : nothing}
    </div>`;
  }

  private renderImages(record: PhotoRecord) {
    const alt = `The retina crop the models saw, ${EYE_NAMES[record.eye].toLowerCase()}`;
    if (!this.thumbnail) return html`<p class="muted" data-no-thumbnail>No thumbnail was kept of this photo.</p>`;
    const heatmaps = record.kind === 'graded' ? record.heatmaps : undefined;
    if (!heatmaps || !this.showHeatmap) return html`<figure class="images">${this.renderFrame(alt, null)}</figure>`;
    const figure = (runtime: 'tfjs' | 'ort') => {
      const map = expandHeatmap(heatmaps[runtime]);
      return html`<figure data-heatmap=${runtime}>
        ${this.renderFrame(`${alt}, under the ${RUNTIME_LABELS[runtime]} heatmap`, map)}
        <figcaption>
          ${RUNTIME_LABELS[runtime]}: where it looked for grade ${map.grade} ${gradeName(map.grade)}
          <span class="muted">(${milliseconds(map.ms)})</span>
        </figcaption>
      </figure>`;
    };
    return html`<div class="images">${figure('tfjs')} ${figure('ort')}</div>`;
  }

  /** Which photo a button acts on, for buttons that would otherwise all read the same. */
  private photoName(record: PhotoRecord): string {
    const subject = record.eye === 'unspecified' ? 'photo without a recorded eye' : `${record.eye} eye photo`;
    return `${subject} of ${dateTime.format(record.createdAt)}`;
  }

  private renderHeatmapToggle(record: ScreeningRecord) {
    if (!record.heatmaps || !this.thumbnail) return nothing;
    return html`<button
      type="button"
      data-heatmap-toggle
      aria-pressed=${this.showHeatmap ? 'true' : 'false'}
      @click=${() => (this.showHeatmap = !this.showHeatmap)}
    >
      Show heatmap<span class="visually-hidden"> of the ${this.photoName(record)}</span>
    </button>`;
  }

  override render() {
    const record = this.record;
    if (!record) return nothing;
    const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(record.createdAt);
    return html`<article aria-labelledby="title" data-photo-id=${record.id} data-kind=${record.kind}>
      <h4 id="title">${record.kind === 'graded' ? 'Graded photo' : 'Photo kept without grading'}, ${time}</h4>
      <div class="layout">
        <div>
          ${this.renderImages(record)}
          <div class="actions">
            ${record.kind === 'graded' ? this.renderHeatmapToggle(record) : nothing}
            <button type="button" class="danger" data-delete-photo @click=${() => this.deletePhoto(record)}>
              Delete photo<span class="visually-hidden">: the ${this.photoName(record)}</span>
            </button>
          </div>
        </div>
        <div>
          ${
            record.kind === 'graded'
              ? html`${renderGradedOutcome(record)} ${renderProbabilities(record)} ${renderRunAndModel(record)}`
              : html`<p class="warn" data-not-graded><strong>Not graded:</strong> ${record.reason}</p>`
          }
          ${renderQuality(record.quality)} ${renderFile(record, dateTime)}
        </div>
      </div>
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-visit-photo': FgVisitPhoto;
  }
  interface HTMLElementEventMap {
    /** Delete these photos (a photo, an eye's photos, a whole visit); the history offers to undo it. */
    'fg-delete-photos': CustomEvent<{ ids: string[] }>;
  }
}
