// What the header and the Status tab say about the offline copy and updates (issue 18): never "Ready
// offline" over missing files, and a working button in a tab another tab updated.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/app/components/fg-status-panel.js';
import type { FgStatusPanel } from '../../src/app/components/fg-status-panel.js';
import '../../src/app/components/fg-status-summary.js';
import type { FgStatusSummary } from '../../src/app/components/fg-status-summary.js';
import type { OfflineStatus } from '../../src/app/offline/service-worker-status.js';

const $ = <T extends Element>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;

const offline = (patch: Partial<OfflineStatus> = {}): OfflineStatus => ({
  supported: true,
  readyOffline: true,
  updateAvailable: false,
  workerVersion: '0.1.0',
  error: null,
  precache: { total: 40, missing: 0 },
  repairing: false,
  updating: false,
  updateApplied: false,
  ...patch,
});

async function summary(status: OfflineStatus, online = true): Promise<FgStatusSummary> {
  return fixture<FgStatusSummary>(html`<fg-status-summary .offline=${status} .online=${online}></fg-status-summary>`);
}

async function panel(status: OfflineStatus, online = true): Promise<FgStatusPanel> {
  return fixture<FgStatusPanel>(html`<fg-status-panel .offline=${status} .online=${online}></fg-status-panel>`);
}

describe('the offline status in the header', () => {
  it('says "Ready offline" only when nothing is missing', async () => {
    expect($(await summary(offline()), '[data-chip=offline]').textContent).to.contain('Ready offline');
    const missing = offline({ readyOffline: false, precache: { total: 40, missing: 40 }, repairing: true });
    const chip = $(await summary(missing), '[data-chip=offline]').textContent.replace(/\s+/g, ' ');
    expect(chip).to.contain('Offline copy incomplete: 40 of 40 files missing — repairing');
    expect(chip).not.to.contain('Ready offline');
    const stalled = offline({ readyOffline: false, precache: { total: 40, missing: 3 } });
    const text = $(await summary(stalled, false), '[data-chip=offline]').textContent.replace(/\s+/g, ' ');
    expect(text).to.contain('Offline copy incomplete: 3 of 40 files missing');
    expect(text).not.to.contain('repairing');
  });

  it('offers "Reload to finish the update" in a tab another tab updated, as the update event', async () => {
    const el = await summary(offline({ updateApplied: true }));
    const button = $<HTMLButtonElement>(el, 'button[data-update]');
    expect(button.textContent).to.contain('Reload to finish the update');
    setTimeout(() => button.click());
    await oneEvent(el, 'fg-apply-update');
  });

  it('shows an update in progress as a disabled button', async () => {
    const button = $<HTMLButtonElement>(await summary(offline({ updateAvailable: true, updating: true })), 'button');
    expect(button.textContent).to.contain('Updating');
    expect(button.disabled).to.equal(true);
  });

  it('is accessible with an incomplete copy and a finished update', async () => {
    const el = await summary(
      offline({ readyOffline: false, precache: { total: 40, missing: 2 }, updateApplied: true }),
    );
    await expect(el).shadowDom.to.be.accessible();
  });
});

describe('the offline status in the Status tab', () => {
  it('says how much is missing and what happens next', async () => {
    const repairing = await panel(
      offline({ readyOffline: false, precache: { total: 40, missing: 5 }, repairing: true }),
    );
    expect($(repairing, '[data-offline-incomplete]').textContent.replace(/\s+/g, ' ')).to.contain(
      'Offline copy incomplete: 5 of 40 files missing — repairing.',
    );
    expect(repairing.shadowRoot!.querySelector('[data-ready-offline]')).to.equal(null);
    const offlineNow = await panel(offline({ readyOffline: false, precache: { total: 40, missing: 5 } }), false);
    expect($(offlineNow, '[data-offline-incomplete]').textContent).to.contain('repaired when the network is back');
  });

  it('offers to finish an update another tab applied', async () => {
    const el = await panel(offline({ updateApplied: true }));
    expect(el.shadowRoot!.textContent).to.contain('A new version has taken over');
    const button = [...el.shadowRoot!.querySelectorAll('button')].find((b) =>
      b.textContent.includes('Reload to finish the update'),
    )!;
    setTimeout(() => button.click());
    await oneEvent(el, 'fg-apply-update');
    await expect(el).shadowDom.to.be.accessible();
  });
});
