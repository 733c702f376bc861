import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/app/components/fg-app.js';
import '../../src/app/components/fg-backend-status.js';
import type { FgBackendStatus } from '../../src/app/components/fg-backend-status.js';
import type { InitResult } from '../../src/shared/protocol.js';

const report: InitResult = {
  protocolVersion: 1,
  tfjs: {
    runtime: 'tfjs',
    backend: 'webgl',
    version: '4.22.0',
    attempts: [
      { backend: 'webgpu', ok: false, error: 'no adapter', ms: 3 },
      { backend: 'webgl', ok: true, ms: 40 },
    ],
  },
  ort: {
    runtime: 'ort',
    backend: null,
    version: '1.30.0',
    attempts: [{ backend: 'wasm', ok: false, error: 'boom', ms: 1 }],
  },
  environment: { crossOriginIsolated: true, hardwareConcurrency: 2, webgpu: { available: false }, userAgent: 'test' },
};

describe('<fg-backend-status>', () => {
  it('shows the backend each runtime really uses and why others failed', async () => {
    const el = await fixture<FgBackendStatus>(
      html`<fg-backend-status .report=${report} state="ready"></fg-backend-status>`,
    );
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-runtime="tfjs"]')!.textContent).to.equal('webgl');
    expect(root.querySelector('[data-runtime="ort"]')!.textContent).to.contain('no backend came up');
    const reasons = [...root.querySelectorAll('li')].map((li) => li.textContent);
    expect(reasons).to.deep.equal(['webgpu: no adapter', 'wasm: boom']);
    expect(root.textContent).to.contain('yes (wasm threads available)');
  });

  it('announces a start-up failure as an alert', async () => {
    const el = await fixture<FgBackendStatus>(
      html`<fg-backend-status state="failed" message="worker crashed"></fg-backend-status>`,
    );
    const alert = el.shadowRoot!.querySelector('[role="alert"]');
    expect(alert!.textContent).to.contain('worker crashed');
  });

  it('is accessible', async () => {
    const el = await fixture<FgBackendStatus>(
      html`<fg-backend-status .report=${report} state="ready"></fg-backend-status>`,
    );
    await expect(el).shadowDom.to.be.accessible();
  });
});

describe('<fg-app>', () => {
  it('starts the worker and shows the backends it reports', async () => {
    const el = document.createElement('fg-app');
    const ready = oneEvent<CustomEvent<{ tfjs: { backend: string | null }; ort: { backend: string | null } }>>(
      el,
      'fg-runtimes-ready',
    );
    document.body.append(el);
    try {
      const { detail } = await ready;
      expect(detail.tfjs.backend).to.be.a('string');
      expect(detail.ort.backend).to.be.a('string');
      await el.updateComplete;
      const panel = el.shadowRoot!.querySelector('fg-status-panel')!;
      await panel.updateComplete;
      const status = panel.shadowRoot!.querySelector('fg-backend-status')!;
      await status.updateComplete;
      expect(status.shadowRoot!.querySelector('[data-runtime="tfjs"]')!.textContent).to.equal(detail.tfjs.backend);
    } finally {
      el.remove();
    }
  });

  it('lays out the Screen tab as an accessible visit: the patient id, both eyes and the summary', async () => {
    const el = document.createElement('fg-app');
    document.body.append(el);
    try {
      await el.updateComplete;
      const view = el.shadowRoot!.querySelector('fg-screen-view')!;
      await view.updateComplete;
      const panels = [...view.querySelectorAll('fg-eye-panel')];
      expect(panels.map((panel) => panel.eye)).to.deep.equal(['right', 'left']);
      expect(view.querySelector('label[for=visit-patient]')).to.not.equal(null);
      await Promise.all(panels.map((panel) => panel.updateComplete));
      await expect(el).shadowDom.to.be.accessible();
    } finally {
      el.remove();
    }
  });
});
