import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.js';

/** What can be undone, e.g. "2 photos deleted". A new object is a new offer, even with the same words. */
export interface UndoOffer {
  message: string;
}

/**
 * "2 photos deleted — Undo" for a while after a deletion. The live region stays in the page when there is
 * nothing to undo, so that a screen reader announces each offer. The offer lapses after `timeoutMs`, but
 * never while keyboard focus or the pointer is in the bar: no one loses it halfway to the button.
 * Dispatches `fg-undo` (the button) and `fg-undo-lapsed` (time ran out); the owner then clears `offer`.
 */
@customElement('fg-undo-bar')
export class FgUndoBar extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        position: sticky;
        bottom: 0.75rem;
        z-index: 1;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        justify-content: space-between;
        margin-top: 1rem;
        padding: 0.5rem 0.5rem 0.5rem 1rem;
        border-radius: 10px;
        background: var(--fg-heading, #1f2328);
        color: #fff;
        box-shadow: 0 4px 16px rgb(0 0 0 / 0.25);
      }
      .bar button {
        background: #fff;
        color: #1f2328;
        border-color: #fff;
        font-weight: 600;
      }
      .bar button:focus-visible {
        outline-color: #fff;
      }
    `,
  ];

  @property({ attribute: false }) offer: UndoOffer | null = null;
  @property({ type: Number, attribute: 'timeout-ms' }) timeoutMs = 10_000;

  private timer: ReturnType<typeof setTimeout> | undefined;
  private focused = false;
  private hovered = false;

  /** Moves keyboard focus onto the Undo button (after what had focus was deleted). */
  async focusUndo(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button')?.focus();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('offer') || changed.has('timeoutMs')) this.restartTimer();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  private restartTimer(): void {
    clearTimeout(this.timer);
    if (!this.offer) {
      // The bar left the page with the offer: it no longer holds focus or the pointer.
      this.focused = this.hovered = false;
      return;
    }
    if (this.focused || this.hovered) return;
    const offer = this.offer;
    this.timer = setTimeout(() => {
      if (this.offer === offer) this.dispatchEvent(new CustomEvent('fg-undo-lapsed'));
    }, this.timeoutMs);
  }

  private hold(focused: boolean, hovered: boolean): void {
    this.focused = focused;
    this.hovered = hovered;
    this.restartTimer();
  }

  private onFocusOut(event: FocusEvent): void {
    if (!this.renderRoot.contains(event.relatedTarget as Node | null)) this.hold(false, this.hovered);
  }

  private undo(): void {
    clearTimeout(this.timer);
    this.dispatchEvent(new CustomEvent('fg-undo'));
  }

  override render() {
    return html`<div
      role="status"
      @focusin=${() => this.hold(true, this.hovered)}
      @focusout=${this.onFocusOut}
      @pointerenter=${() => this.hold(this.focused, true)}
      @pointerleave=${() => this.hold(this.focused, false)}
    >
      ${
        this.offer
          ? html`<div class="bar">
              <span data-undo-message>${this.offer.message}</span>
              <button type="button" data-undo @click=${this.undo}>Undo</button>
            </div>`
          : nothing
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-undo-bar': FgUndoBar;
  }
  interface HTMLElementEventMap {
    /** From fg-undo-bar, to its owner only (they do not bubble). */
    'fg-undo': CustomEvent<null>;
    'fg-undo-lapsed': CustomEvent<null>;
  }
}
