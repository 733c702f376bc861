import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { WeightForm } from '../../shared/model-manifest.js';
import type { BackendChoice } from '../../shared/protocol.js';
import type { CatalogModel } from '../model-catalog.js';
import { formatBytes } from '../model-state.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';
import type { Settings } from '../settings.js';
import { sharedStyles } from './shared-styles.js';

const BACKENDS: Record<'tfjs' | 'ort', ReadonlyArray<{ value: BackendChoice; label: string }>> = {
  tfjs: [
    { value: 'auto', label: 'Automatic (WebGPU, then WebGL, then wasm)' },
    { value: 'webgpu', label: 'WebGPU' },
    { value: 'webgl', label: 'WebGL' },
    { value: 'wasm', label: 'WebAssembly (CPU)' },
  ],
  ort: [
    { value: 'auto', label: 'Automatic (WebGPU, then wasm)' },
    { value: 'webgpu', label: 'WebGPU' },
    { value: 'wasm', label: 'WebAssembly (CPU)' },
  ],
};

const WEIGHTS: ReadonlyArray<{ value: WeightForm; label: string }> = [
  { value: 'fp16', label: 'fp16 — half the download (recommended)' },
  { value: 'fp32', label: 'fp32 — full precision' },
];

/** Backend per runtime, model and weight form. Every change is emitted at once as `fg-settings-changed`. */
@customElement('fg-settings-panel')
export class FgSettingsPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 1.25rem;
        max-width: 40rem;
      }
      label,
      legend {
        display: block;
        font-weight: 600;
        margin-bottom: 0.35rem;
      }
      fieldset {
        border: 0;
        padding: 0;
        margin: 0;
      }
      .choice {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 44px;
        font-weight: 400;
        margin: 0;
      }
      .choice input {
        width: 1.1rem;
        height: 1.1rem;
        accent-color: var(--fg-accent);
      }
      p {
        margin: 0.25rem 0 0;
      }
    `,
  ];

  @property({ attribute: false }) settings!: Settings;
  @property({ attribute: false }) models: CatalogModel[] = [];
  /** The model id in use (settings.model may be null = the default). */
  @property({ attribute: 'active-model' }) activeModel = '';

  private change(patch: Partial<Settings>): void {
    const settings = { ...this.settings, ...patch };
    this.dispatchEvent(
      new CustomEvent<Settings>('fg-settings-changed', { detail: settings, bubbles: true, composed: true }),
    );
  }

  private renderBackend(runtime: 'tfjs' | 'ort') {
    return html`<div>
      <label for="backend-${runtime}">${RUNTIME_LABELS[runtime]} backend</label>
      <select
        id="backend-${runtime}"
        @change=${(e: Event) => this.change({ [runtime]: (e.target as HTMLSelectElement).value as BackendChoice })}
      >
        ${BACKENDS[runtime].map(({ value, label }) => html`<option .value=${value} ?selected=${this.settings[runtime] === value}>${label}</option>`)}
      </select>
    </div>`;
  }

  override render() {
    if (!this.settings) return html``;
    const model = this.models.find((m) => m.id === this.activeModel);
    return html`
      <h2 id="heading" tabindex="-1">Settings</h2>
      <form @submit=${(e: Event) => e.preventDefault()} aria-labelledby="heading">
        ${this.renderBackend('tfjs')} ${this.renderBackend('ort')}
        <p class="small muted">
          Changing a backend restarts the models. A backend this device lacks falls back to the next one.
        </p>
        <div>
          <label for="model">Model</label>
          <select id="model" @change=${(e: Event) => this.change({ model: (e.target as HTMLSelectElement).value })}>
            ${this.models.map(
              (m) =>
                html`<option .value=${m.id} ?selected=${m.id === this.activeModel}>
                  ${m.name} (${m.id} v${m.version})${m.demo ? ' — demo' : ''}
                </option>`,
            )}
          </select>
          ${model ? html`<p class="small muted">Trained on: ${model.trainingData}</p>` : ''}
          ${model?.credit ? html`<p class="small muted" data-model-credit>${model.credit}</p>` : ''}
        </div>
        <fieldset>
          <legend>Weights</legend>
          ${WEIGHTS.map(({ value, label }) => {
            const bytes = model?.bytes[value];
            return html`<label class="choice">
              <input
                type="radio"
                name="weights"
                .value=${value}
                .checked=${this.settings.weights === value}
                ?disabled=${bytes === undefined}
                @change=${() => this.change({ weights: value })}
              />
              ${label}${bytes !== undefined ? ` (${formatBytes(bytes)})` : ' (not available for this model)'}
            </label>`;
          })}
        </fieldset>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-settings-panel': FgSettingsPanel;
  }
  interface HTMLElementEventMap {
    'fg-settings-changed': CustomEvent<Settings>;
  }
}
