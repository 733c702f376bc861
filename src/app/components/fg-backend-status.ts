import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { InitResult, RuntimeReport } from '../../shared/protocol.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';

const ms = (value: number) => `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ms`;

/** Why the GPU backend a runtime runs on was kept: its speed verdict, when it was judged. */
function keptBecause(report: RuntimeReport): string | null {
  const kept = report.verdicts?.find((verdict) => verdict.keep && verdict.backend === report.backend);
  if (!kept) return null;
  const when = kept.remembered ? `, remembered from ${new Date(kept.measuredAt).toISOString().slice(0, 10)}` : '';
  return `timed against WebAssembly on this device: probe ${ms(kept.gpuMs)} vs ${ms(kept.wasmMs)}${when}`;
}

/** Shows which backend each runtime really brought up, and why faster ones were skipped. */
@customElement('fg-backend-status')
export class FgBackendStatus extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.25rem 1rem;
      margin: 0;
    }
    dt {
      font-weight: 600;
    }
    dd {
      margin: 0;
    }
    .backend {
      font-family: ui-monospace, monospace;
    }
    .none {
      color: var(--fg-danger, #b00020);
    }
    ul {
      margin: 0.25rem 0 0;
      padding-left: 1.25rem;
      font-size: 0.875rem;
      color: var(--fg-muted, #555);
    }
  `;

  @property({ attribute: false }) report: InitResult | null = null;
  @property() state: 'starting' | 'ready' | 'failed' = 'starting';
  @property() message = '';

  override render() {
    if (this.state === 'failed')
      return html`<p role="alert" class="none">Runtimes failed to start: ${this.message}</p>`;
    if (!this.report) return html`<p aria-live="polite">Starting runtimes… ${this.message}</p>`;
    const { tfjs, ort, environment } = this.report;
    return html`
      <dl aria-label="Inference backends">
        ${this.renderRuntime(tfjs)} ${this.renderRuntime(ort)}
        <dt>Cross-origin isolated</dt>
        <dd>${environment.crossOriginIsolated ? 'yes (wasm threads available)' : 'no (wasm runs single-threaded)'}</dd>
        <dt>WebGPU adapter</dt>
        <dd>${environment.webgpu.available ? environment.webgpu.adapter : 'none'}</dd>
      </dl>
    `;
  }

  private renderRuntime(report: RuntimeReport) {
    const failed = report.attempts.filter((attempt) => !attempt.ok);
    const why = keptBecause(report);
    return html`
      <dt>${RUNTIME_LABELS[report.runtime]} <small>${report.version}</small></dt>
      <dd>
        ${
          report.backend
            ? html`<span class="backend" data-runtime=${report.runtime}>${report.backend}</span>${
                  report.wasmThreads
                    ? html` <small class="threads"
                        >(${report.wasmThreads} ${report.wasmThreads === 1 ? 'thread' : 'threads'})</small
                      >`
                    : nothing
                }${why ? html` <small class="why">${why}</small>` : nothing}`
            : html`<span class="none" data-runtime=${report.runtime}>no backend came up</span>`
        }
        ${
          failed.length
            ? html`<ul>
                ${failed.map((attempt) => html`<li>${attempt.backend}: ${attempt.error}</li>`)}
              </ul>`
            : nothing
        }
      </dd>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-backend-status': FgBackendStatus;
  }
}
