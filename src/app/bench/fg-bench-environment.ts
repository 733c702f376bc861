import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BrowserEnvironment } from '../../shared/bench/bench-types.js';
import { sharedStyles } from '../components/shared-styles.js';

/** What the numbers were measured on: browser, cores, isolation, GPU adapter. */
@customElement('fg-bench-environment')
export class FgBenchEnvironment extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25rem 1rem;
        margin: 0;
        font-size: 0.875rem;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) environment: BrowserEnvironment | null = null;

  override render() {
    const env = this.environment;
    if (!env) return nothing;
    const adapter = env.webgpu.adapter;
    return html`
      <dl aria-label="Test environment">
        <dt>Browser</dt>
        <dd>${env.browser} (${env.platform})</dd>
        <dt>Logical cores</dt>
        <dd>${env.hardwareConcurrency}</dd>
        <dt>Cross-origin isolated</dt>
        <dd>${env.crossOriginIsolated ? 'yes: wasm threads available' : 'no: wasm runs on one thread'}</dd>
        <dt>WebGPU adapter</dt>
        <dd>
          ${
            adapter
              ? `${[adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ')}${adapter.isFallbackAdapter ? ' (software fallback)' : ''}`
              : 'none'
          }
        </dd>
        <dt>WebGL renderer</dt>
        <dd>${env.webgl?.renderer ?? 'none'}</dd>
      </dl>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-bench-environment': FgBenchEnvironment;
  }
}
