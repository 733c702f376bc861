import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { formatBytes, type ModelState } from '../model-state.js';
import type { OfflineStatus } from '../offline/service-worker-status.js';
import { sharedStyles } from './shared-styles.js';

/** The header's one-line status: model, offline readiness, network, and the update button when one waits. */
@customElement('fg-status-summary')
export class FgStatusSummary extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
        justify-content: flex-end;
      }
      .chip {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        padding: 0.2rem 0.65rem;
        border-radius: 999px;
        background: rgb(255 255 255 / 0.15);
        font-size: 0.875rem;
        white-space: nowrap;
      }
      .dot {
        width: 0.55rem;
        height: 0.55rem;
        border-radius: 50%;
        background: #f5c451;
      }
      .dot.ok {
        background: #6ee7a0;
      }
      .dot.bad {
        background: #ff8a8a;
      }
      button {
        min-height: 36px;
        padding: 0.25rem 0.75rem;
        background: #fff;
        color: var(--fg-accent);
        border-color: #fff;
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) model: ModelState = { phase: 'starting', model: null };
  @property({ attribute: false }) offline: OfflineStatus | null = null;
  @property({ type: Boolean }) online = true;

  private modelText(): { text: string; tone: '' | 'ok' | 'bad' } {
    const state = this.model;
    switch (state.phase) {
      case 'starting':
        return { text: 'Starting…', tone: '' };
      case 'downloading':
        return { text: `Model ${formatBytes(state.loadedBytes)} / ${formatBytes(state.totalBytes)}`, tone: '' };
      case 'warming-up':
        return { text: 'Warming up…', tone: '' };
      case 'ready':
        return { text: 'Model ready', tone: 'ok' };
      case 'failed':
        return { text: 'Model unavailable', tone: 'bad' };
    }
  }

  private offlineChip() {
    const offline = this.offline;
    if (!offline?.supported) return nothing;
    const precache = offline.precache;
    let text: string;
    let tone: '' | 'ok' | 'bad';
    if (precache && precache.missing > 0) {
      // Honest about what is really stored: the header never says "Ready offline" over a gap.
      text = `Offline copy incomplete: ${precache.missing} of ${precache.total} files missing${offline.repairing ? ' — repairing' : ''}`;
      tone = offline.repairing ? '' : 'bad';
    } else if (offline.readyOffline) {
      text = 'Ready offline';
      tone = 'ok';
    } else {
      text = 'Not yet offline';
      tone = offline.error ? 'bad' : '';
    }
    return html`<span class="chip" data-chip="offline"><span class="dot ${tone}"></span>${text}</span>`;
  }

  private updateButton() {
    const offline = this.offline;
    if (!offline) return nothing;
    const label = offline.updating
      ? 'Updating…'
      : offline.updateApplied
        ? 'Reload to finish the update'
        : offline.updateAvailable
          ? 'Update available — reload'
          : null;
    if (!label) return nothing;
    return html`<button
      type="button"
      data-update
      ?disabled=${Boolean(offline.updating)}
      @click=${() => this.dispatchEvent(new CustomEvent('fg-apply-update', { bubbles: true, composed: true }))}
    >
      ${label}
    </button>`;
  }

  override render() {
    const model = this.modelText();
    return html`
      <span class="chip" data-chip="model"><span class="dot ${model.tone}"></span>${model.text}</span>
      ${this.offlineChip()}
      ${this.online ? nothing : html`<span class="chip" data-chip="network"><span class="dot bad"></span>No network</span>`}
      ${this.updateButton()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-status-summary': FgStatusSummary;
  }
}
