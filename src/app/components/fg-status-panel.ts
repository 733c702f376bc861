import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { InitResult } from '../../shared/protocol.js';
import { formatBytes, type ModelState } from '../model-state.js';
import type { OfflineStatus } from '../offline/service-worker-status.js';
import type { StorageStatus } from '../offline/storage-status.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';
import './fg-backend-status.js';
import { sharedStyles } from './shared-styles.js';

/**
 * Everything about the app's own state: model download and warm-up, offline readiness and updates,
 * storage used and whether it is persistent, and the backends in use.
 * Emits `fg-apply-update` and `fg-request-persistence`.
 */
@customElement('fg-status-panel')
export class FgStatusPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      h3 {
        font-size: 1rem;
        margin: 0 0 0.5rem;
      }
      p {
        margin: 0 0 0.5rem;
      }
      progress {
        width: 100%;
        height: 0.9rem;
        accent-color: var(--fg-accent);
      }
      .row {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        flex-wrap: wrap;
      }
    `,
  ];

  @property({ attribute: false }) model: ModelState = { phase: 'starting', model: null };
  @property({ attribute: false }) offline: OfflineStatus | null = null;
  @property({ attribute: false }) storage: StorageStatus | null = null;
  @property({ attribute: false }) report: InitResult | null = null;
  @property() runtimes: 'starting' | 'ready' | 'failed' = 'starting';
  @property() runtimesMessage = '';
  @property({ type: Boolean }) online = true;
  @property() appVersion = '';

  private emit(type: 'fg-apply-update' | 'fg-request-persistence'): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }

  private renderModel() {
    const state = this.model;
    const name = state.model ? `${state.model.name} (${state.model.id} v${state.model.version})` : 'No model selected';
    let body;
    switch (state.phase) {
      case 'starting':
        body = html`<p>Waiting for the runtimes to start…</p>`;
        break;
      case 'downloading':
        body = html`<p>Downloading the model: ${formatBytes(state.loadedBytes)} of ${formatBytes(state.totalBytes)}</p>
          <progress max=${state.totalBytes} .value=${state.loadedBytes} aria-label="Model download"></progress>`;
        break;
      case 'warming-up':
        body = html`<p>Compiling shaders and warming up ${RUNTIME_LABELS[state.runtime]} on ${state.backend}…</p>`;
        break;
      case 'ready': {
        const { tfjs, ort } = state.backends;
        body = html`<p class="notice ok" data-model-ready>
          Model ready: ${RUNTIME_LABELS.tfjs} on ${tfjs}, ${RUNTIME_LABELS.ort} on ${ort}.
        </p>`;
        break;
      }
      case 'failed':
        body = html`<p class="notice error">The model could not be loaded: ${state.message}</p>`;
    }
    return html`<section class="card" aria-labelledby="model-heading">
      <h3 id="model-heading">Model</h3>
      <p class="small muted">${name}</p>
      ${state.model?.credit ? html`<p class="small muted" data-model-credit>Training data credit: ${state.model.credit}</p>` : nothing}
      <div aria-live="polite">${body}</div>
    </section>`;
  }

  private renderOffline() {
    const offline = this.offline;
    const precache = offline?.precache;
    let body;
    if (!offline?.supported) body = html`<p>This browser cannot keep the app for offline use.</p>`;
    else if (offline.error) body = html`<p class="notice error">${offline.error}</p>`;
    else if (precache && precache.missing > 0) {
      const next = offline.repairing
        ? ' — repairing.'
        : this.online
          ? '. It is repaired on the next reload.'
          : '. It is repaired when the network is back.';
      body = html`<p class="notice ${offline.repairing ? 'warning' : 'error'}" data-offline-incomplete>
        Offline copy incomplete: ${precache.missing} of ${precache.total} files missing${next}
      </p>`;
    } else if (offline.readyOffline) body = html`<p class="notice ok" data-ready-offline>Ready to work offline.</p>`;
    else body = html`<p>Saving the app on this device for offline use…</p>`;
    return html`<section class="card" aria-labelledby="offline-heading">
      <h3 id="offline-heading">Offline use</h3>
      <div aria-live="polite">${body}</div>
      <p class="small muted">
        Network: ${this.online ? 'online' : 'offline'}. App version
        ${this.appVersion}${offline?.workerVersion ? html`, offline copy ${offline.workerVersion}` : nothing}.
      </p>
      ${this.renderUpdate()}
    </section>`;
  }

  private renderUpdate() {
    const offline = this.offline;
    if (offline?.updating)
      return html`<div class="row notice warning" role="status">
        <span>Updating: reloading into the new version…</span>
      </div>`;
    if (offline?.updateApplied)
      return html`<div class="row notice warning" role="status">
        <span>A new version has taken over; this page still runs the previous one.</span>
        <button type="button" class="primary" @click=${() => this.emit('fg-apply-update')}>
          Reload to finish the update
        </button>
      </div>`;
    if (offline?.updateAvailable)
      return html`<div class="row notice warning" role="status">
        <span>An update is available.</span>
        <button type="button" class="primary" @click=${() => this.emit('fg-apply-update')}>Reload to update</button>
      </div>`;
    return nothing;
  }

  private renderStorage() {
    const storage = this.storage;
    const used =
      storage?.usage != null
        ? `${formatBytes(storage.usage)} used${storage.quota != null ? ` of ${formatBytes(storage.quota)} available` : ''}`
        : 'Storage use unknown';
    const persisted = storage?.persisted;
    return html`<section class="card" aria-labelledby="storage-heading">
      <h3 id="storage-heading">Storage on this device</h3>
      <p data-storage-used>${used}.</p>
      <div class="row">
        <p data-persisted>
          ${
            persisted === true
              ? 'Persistent storage granted: the browser will not clear screenings to free space.'
              : persisted === false
                ? 'Persistent storage not granted: the browser may clear data when space runs low.'
                : 'Persistent storage is not supported here.'
          }
        </p>
        ${persisted === false ? html`<button type="button" @click=${() => this.emit('fg-request-persistence')}>Request persistent storage</button>` : nothing}
      </div>
    </section>`;
  }

  override render() {
    return html`
      ${this.renderModel()} ${this.renderOffline()} ${this.renderStorage()}
      <section class="card" aria-labelledby="backends-heading">
        <h3 id="backends-heading">Backends</h3>
        <fg-backend-status
          .report=${this.report}
          .state=${this.runtimes}
          .message=${this.runtimesMessage}
        ></fg-backend-status>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-status-panel': FgStatusPanel;
  }
  interface HTMLElementEventMap {
    'fg-apply-update': CustomEvent<void>;
    'fg-request-persistence': CustomEvent<void>;
  }
}
