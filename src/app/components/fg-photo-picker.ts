import { css, html, LitElement } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.js';

export type PhotoSource = 'file' | 'camera' | 'drop' | 'paste';

export interface PhotoChosenDetail {
  file: File;
  source: PhotoSource;
}

const ACCEPT = 'image/jpeg,image/png,image/webp';

/**
 * Where a photo comes from: the file picker (one or several), the tablet's camera (capture="environment"),
 * drag and drop, or paste. Emits `fg-photo-chosen` once per file; whether it is a usable photo is the
 * worker's call. Where a page has several pickers, only the one that `takes-paste` answers a paste.
 */
@customElement('fg-photo-picker')
export class FgPhotoPicker extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .zone {
        border: 2px dashed var(--fg-border-strong);
        border-radius: 12px;
        padding: 1.25rem;
        text-align: center;
        background: var(--fg-surface);
      }
      :host([compact]) .zone {
        padding: 0.5rem 0.75rem;
      }
      :host([compact]) .actions {
        margin-top: 0.4rem;
      }
      .zone.dragging {
        border-color: var(--fg-focus);
        background: #eef4fc;
      }
      .actions {
        display: flex;
        gap: 0.75rem;
        justify-content: center;
        flex-wrap: wrap;
        margin-top: 0.75rem;
      }
      p {
        margin: 0;
      }
    `,
  ];

  @property({ type: Boolean }) disabled = false;
  /** What the photo shows, for the labels ("right eye"); empty: a fundus photo. */
  @property() subject = '';
  /** Smaller, for when a photo is already shown: another one replaces it as the current one. */
  @property({ type: Boolean, reflect: true }) compact = false;
  /** Answers a paste anywhere on the page. */
  @property({ type: Boolean, attribute: 'takes-paste' }) takesPaste = true;
  @state() private dragging = false;
  @query('#file') private fileInput!: HTMLInputElement;
  @query('#camera') private cameraInput!: HTMLInputElement;

  private readonly onPaste = (event: ClipboardEvent) => {
    if (this.disabled || !this.takesPaste) return;
    const file = [...(event.clipboardData?.files ?? [])][0];
    if (!file) return;
    event.preventDefault();
    this.choose(file, 'paste');
  };

  override connectedCallback(): void {
    super.connectedCallback();
    // Paste works anywhere on the page while the picker is shown.
    document.addEventListener('paste', this.onPaste);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('paste', this.onPaste);
  }

  private choose(file: File, source: PhotoSource): void {
    this.dispatchEvent(
      new CustomEvent<PhotoChosenDetail>('fg-photo-chosen', {
        detail: { file, source },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private onInputChange(event: Event, source: PhotoSource): void {
    const input = event.target as HTMLInputElement;
    for (const file of input.files ?? []) this.choose(file, source);
    // Cleared so that choosing the same file again still fires a change.
    input.value = '';
  }

  private onDragOver(event: DragEvent): void {
    if (this.disabled || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  private onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging = false;
    if (this.disabled) return;
    for (const file of event.dataTransfer?.files ?? []) this.choose(file, 'drop');
  }

  override render() {
    const of = this.subject ? ` of the ${this.subject}` : '';
    const instructions = this.compact
      ? `Another photo${of}: drop it here, paste it, or choose one.`
      : `Drop a photo${of || ' of the retina'} here, paste it, or choose one (JPEG, PNG or WebP).`;
    return html`
      <div
        class="zone ${this.dragging ? 'dragging' : ''}"
        role="group"
        aria-labelledby="instructions"
        @dragover=${this.onDragOver}
        @dragleave=${() => (this.dragging = false)}
        @drop=${this.onDrop}
      >
        <p id="instructions" class=${this.compact ? 'small' : ''}>${instructions}</p>
        <div class="actions">
          <button
            class=${this.compact ? '' : 'primary'}
            type="button"
            ?disabled=${this.disabled}
            @click=${() => this.fileInput.click()}
          >
            Choose photo<span class="visually-hidden">${of}</span>…
          </button>
          <button type="button" ?disabled=${this.disabled} @click=${() => this.cameraInput.click()}>
            Take photo<span class="visually-hidden">${of}</span>
          </button>
        </div>
        <input
          id="file"
          type="file"
          accept=${ACCEPT}
          multiple
          hidden
          @change=${(e: Event) => this.onInputChange(e, 'file')}
        />
        <input
          id="camera"
          type="file"
          accept="image/*"
          capture="environment"
          hidden
          @change=${(e: Event) => this.onInputChange(e, 'camera')}
        />
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-photo-picker': FgPhotoPicker;
  }
  interface HTMLElementEventMap {
    'fg-photo-chosen': CustomEvent<PhotoChosenDetail>;
  }
}
