import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { InitResult } from '../../shared/protocol.js';
import { parseBackendChoices } from '../backend-choice.js';
import { buildConfig } from '../build-config.js';
import { InferenceClient } from '../inference-client.js';
import './fg-backend-status.js';

/** Root element: owns the inference worker and hands results down to the views. */
@customElement('fg-app')
export class FgApp extends LitElement {
  static override styles = css`
    :host { display: block; max-width: 60rem; margin: 0 auto; padding: 1rem; font-family: system-ui, sans-serif; }
    h1 { font-size: 1.5rem; margin: 0 0 1rem; }
  `;

  @state() private report: InitResult | null = null;
  @state() private status: 'starting' | 'ready' | 'failed' = 'starting';
  @state() private message = '';

  private client: InferenceClient | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.client = new InferenceClient(new Worker(buildConfig.inferenceWorkerUrl, { type: 'module', name: 'inference' }));
    void this.startRuntimes(this.client);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client?.terminate();
    this.client = null;
  }

  private async startRuntimes(client: InferenceClient): Promise<void> {
    const choices = parseBackendChoices(location.search);
    try {
      this.report = await client.request(
        'init',
        { ...choices, tfjsWasmPath: buildConfig.tfjsWasmPath, ortWasmPath: buildConfig.ortWasmPath },
        { onProgress: ({ stage, backend }) => (this.message = `${stage}: trying ${backend}`) },
      );
      this.status = 'ready';
      this.dispatchEvent(new CustomEvent('fg-runtimes-ready', { detail: this.report, bubbles: true, composed: true }));
    } catch (error) {
      this.status = 'failed';
      this.message = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    return html`
      <h1>Fundus Grader</h1>
      <fg-backend-status .report=${this.report} .state=${this.status} .message=${this.message}></fg-backend-status>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-app': FgApp;
  }
  interface HTMLElementEventMap {
    'fg-runtimes-ready': CustomEvent<InitResult>;
  }
}
