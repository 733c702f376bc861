import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { eyeName, otherEye, photoStatus, visitActionEvent, type ScreenPhoto } from '../controllers/visit-state.js';
import type { VisitEye } from '../../shared/visit-outcome.js';
import { sharedStyles } from './shared-styles.js';

/**
 * An eye's earlier photos in the visit, as small thumbnails with their state (graded, not graded and
 * why), each of which can be shown again, moved to the other eye or removed from the visit.
 * Emits `fg-visit-action`.
 */
@customElement('fg-visit-photos')
export class FgVisitPhotos extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      h3 {
        font-size: 1rem;
        margin: 0 0 0.5rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        display: grid;
        grid-template-columns: 4rem minmax(0, 1fr);
        gap: 0.25rem 0.75rem;
        align-items: center;
      }
      canvas {
        width: 4rem;
        height: 3rem;
        object-fit: contain;
        background: #000;
        border-radius: 6px;
        grid-row: span 2;
      }
      .name {
        overflow-wrap: anywhere;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.5rem;
        grid-column: 2;
      }
      .buttons button {
        min-height: 36px;
        padding: 0.25rem 0.6rem;
        font-size: 0.875rem;
      }
    `,
  ];

  @property({ reflect: true }) eye: VisitEye = 'right';
  @property({ attribute: false }) photos: readonly ScreenPhoto[] = [];
  /** A grading runs: the photos stay as they are meanwhile. */
  @property({ type: Boolean }) busy = false;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('photos')) return;
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-photo]')) {
      const preview = this.photos.find((photo) => photo.id === canvas.dataset.photo)?.inspect?.preview;
      if (!preview || canvas.dataset.drawn === 'yes') continue;
      const { data, width, height } = preview;
      canvas.width = width;
      canvas.height = height;
      canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(data), width, height), 0, 0);
      canvas.dataset.drawn = 'yes';
    }
  }

  private renderPhoto(photo: ScreenPhoto) {
    const act = (action: Parameters<typeof visitActionEvent>[0]) => this.dispatchEvent(visitActionEvent(action));
    const other = otherEye(this.eye);
    const name = photo.file.name;
    return html`<li data-photo-id=${photo.id}>
      <canvas data-photo=${photo.id} width="4" height="3" aria-hidden="true"></canvas>
      <div>
        <div class="name small">${name}</div>
        <div class="small muted" data-status>${photoStatus(photo)}</div>
      </div>
      <div class="buttons">
        <button type="button" data-show @click=${() => act({ type: 'show', photoId: photo.id })}>
          Show<span class="visually-hidden"> ${name}</span>
        </button>
        <button
          type="button"
          data-move
          ?disabled=${this.busy}
          @click=${() => act({ type: 'move', photoId: photo.id, eye: other })}
        >
          Move<span class="visually-hidden"> ${name}</span> to the ${eyeName(other)}
        </button>
        <button
          type="button"
          data-remove
          ?disabled=${this.busy}
          @click=${() => act({ type: 'remove', photoId: photo.id })}
        >
          Remove<span class="visually-hidden"> ${name}</span>
        </button>
      </div>
    </li>`;
  }

  override render() {
    if (!this.photos.length) return nothing;
    return html`<section aria-labelledby="earlier">
      <h3 id="earlier">Earlier photos of the ${eyeName(this.eye)}</h3>
      <ul>
        ${repeat(
          this.photos,
          (photo) => photo.id,
          (photo) => this.renderPhoto(photo),
        )}
      </ul>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-visit-photos': FgVisitPhotos;
  }
}
