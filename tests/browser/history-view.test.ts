// The History tab: patients and visits, a visit's detail, deleting with undo, the keyboard, narrow screens.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { html as litHtml, LitElement } from 'lit';
import '../../src/app/components/fg-history-list.js';
import type { FgHistoryList } from '../../src/app/components/fg-history-list.js';
import type { FgVisitDetail } from '../../src/app/components/fg-visit-detail.js';
import type { FgVisitPhoto } from '../../src/app/components/fg-visit-photo.js';
import { visitMatches } from '../../src/app/components/history-search.js';
import { RecordsController } from '../../src/app/controllers/records-controller.js';
import { groupHistory } from '../../src/app/records/history-groups.js';
import type { PhotoRecord } from '../../src/app/records/screening-record.js';
import { ScreeningStore } from '../../src/app/records/screening-store.js';
import { BLURRED, BLURRED_MESSAGE, gradedPhoto, ungradedPhoto } from './record-fixtures.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.UTC(2026, 0, 15, 9, 30);
const text = (node: Element | null | undefined) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
const ids = (records: readonly { id: string }[]) => records.map((r) => r.id);

// P-1 today: the right eye twice (grades 1 and 3), the left eye too blurred to grade. P-1 a day earlier:
// both eyes, nothing referable. P-2 in between: the left eye only, so the right eye is missing.
const p1Today = [
  gradedPhoto('P-1', 'right', 1, T0 + DAY, { visitId: 'v-today' }),
  gradedPhoto('P-1', 'right', 3, T0 + DAY + 60_000, { visitId: 'v-today', ortGrade: 2 }),
  ungradedPhoto('P-1', 'left', T0 + DAY + 120_000, { visitId: 'v-today' }),
];
const p1Before = [
  gradedPhoto('P-1', 'right', 0, T0, { visitId: 'v-before' }),
  gradedPhoto('P-1', 'left', 1, T0 + 60_000, { visitId: 'v-before' }),
];
const p2 = [gradedPhoto('P-2', 'left', 0, T0 + 3600_000, { visitId: 'v-p2' })];
const all: PhotoRecord[] = [...p1Today, ...p2, ...p1Before].sort((a, b) => b.createdAt - a.createdAt);

async function historyOf(records: PhotoRecord[] = all, undoTimeoutMs = 10_000) {
  return fixture<FgHistoryList>(
    html`<fg-history-list .records=${records} undo-timeout-ms=${undoTimeoutMs}></fg-history-list>`,
  );
}

const root = (el: Element) => el.shadowRoot!;
const entry = (el: FgHistoryList, visitId: string) =>
  root(el).querySelector<HTMLButtonElement>(`button.visit[data-visit-id="${visitId}"]`)!;
const detailOf = (el: FgHistoryList) => root(el).querySelector<FgVisitDetail>('fg-visit-detail');
const photoCard = (detail: FgVisitDetail, id: string) =>
  [...root(detail).querySelectorAll<FgVisitPhoto>('fg-visit-photo')].find((p) => p.record?.id === id)!;

/** Opens a visit by clicking its entry; resolves once its detail is rendered. */
async function open(el: FgHistoryList, visitId: string): Promise<FgVisitDetail> {
  entry(el, visitId).click();
  await waitUntil(() => detailOf(el), 'the visit opened');
  const detail = detailOf(el)!;
  await detail.updateComplete;
  await Promise.all([...root(detail).querySelectorAll<FgVisitPhoto>('fg-visit-photo')].map((p) => p.updateComplete));
  return detail;
}

/** The element that has focus, through shadow roots. */
function focused(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** Every `type` event's detail from now on. */
function collect<T>(el: EventTarget, type: string): T[] {
  const details: T[] = [];
  el.addEventListener(type, (event) => details.push((event as CustomEvent<T>).detail));
  return details;
}

describe('the history by patient and visit', () => {
  it('shows patients newest visit first, each with their visits newest first', async () => {
    const el = await historyOf();
    const patients = [...root(el).querySelectorAll<HTMLElement>('section.patient')];
    expect(patients.map((p) => text(p.querySelector('h3')))).to.deep.equal(['P-1 · 2 visits', 'P-2 · 1 visit']);
    expect(
      patients.map((p) => [...p.querySelectorAll<HTMLElement>('button.visit')].map((b) => b.dataset.visitId)),
    ).to.deep.equal([['v-today', 'v-before'], ['v-p2']]);
  });

  it('shows an ungradable eye and a missing eye as such, and the referral they lead to', async () => {
    const el = await historyOf();
    const today = entry(el, 'v-today');
    expect(text(today.querySelector('[data-eye=right]'))).to.equal('Right eye: Grade 3 Severe, referable');
    expect(today.querySelector('[data-eye=left]')!.getAttribute('data-status')).to.equal('ungradable');
    expect(text(today.querySelector('[data-eye=left]'))).to.equal('Left eye: Ungradable');
    // The eye is shown by the photo its result rests on: the grade-3 photo, the blurred photo.
    const thumbnails = [...today.querySelectorAll<HTMLImageElement>('img')].map((img) => img.src);
    expect(thumbnails).to.have.length(2);
    expect(new Set(thumbnails).size).to.equal(2);
    expect(today.querySelector('[data-verdict]')!.getAttribute('data-verdict')).to.equal('refer');

    const p2Visit = entry(el, 'v-p2');
    expect(text(p2Visit.querySelector('[data-eye=right]'))).to.equal('Right eye: Missing');
    expect(p2Visit.querySelector('[data-eye=right] img')).to.equal(null);
    expect(p2Visit.querySelector('[data-verdict]')!.getAttribute('data-verdict')).to.equal('incomplete');
    expect(entry(el, 'v-before').querySelector('[data-verdict]')!.getAttribute('data-verdict')).to.equal('no-referral');
  });

  it('finds visits by patient id, grade words, referral and ungradable eyes', () => {
    const visits = new Map(groupHistory(all).flatMap((p) => p.visits.map((v) => [v.visitId, v])));
    const found = (query: string) => [...visits.keys()].filter((id) => visitMatches(visits.get(id)!, query));
    expect(found('')).to.have.members(['v-today', 'v-before', 'v-p2']);
    expect(found('p-2')).to.deep.equal(['v-p2']);
    expect(found('-1')).to.have.members(['v-today', 'v-before']);
    expect(found('refer')).to.deep.equal(['v-today']);
    expect(found('no referral')).to.have.members(['v-before', 'v-p2']);
    expect(found('incomplete')).to.deep.equal(['v-p2']);
    expect(found('ungradable')).to.deep.equal(['v-today']);
    expect(found('blurred')).to.deep.equal(['v-today']);
    expect(found('missing')).to.deep.equal(['v-p2']);
    // By each eye's result, as the list shows it: today's right eye is grade 3, though one photo was 1.
    expect(found('grade 1')).to.deep.equal(['v-before']);
    expect(found('severe P-1')).to.deep.equal(['v-today']);
    expect(found('disagree')).to.deep.equal(['v-today']);
    expect(found('severe P-2')).to.deep.equal([]);
    expect(found('2026-01-16')).to.deep.equal(['v-today']);
  });
});

describe("a visit's detail", () => {
  it('shows everything saved of each photo: probabilities, backends, times, model, quality, file', async () => {
    const el = await historyOf();
    const detail = await open(el, 'v-today');
    expect(text(root(detail).querySelector('h2'))).to.contain('Visit of P-1');
    const referral = root(detail).querySelector('[data-referral]')!;
    expect(referral.getAttribute('data-referral')).to.equal('refer');
    expect(text(referral.querySelector('[data-reasons]')))
      .to.contain('Right eye: grade 3 Severe')
      .and.contain('Left eye could not be graded: too blurred');
    expect(text(root(detail).querySelector('[data-eye=left] [data-eye-outcome]'))).to.equal(
      'Ungradable: too blurred (focus 12, needs ≥ 28) — retake the photo',
    );

    const severe = photoCard(detail, p1Today[1]!.id);
    const card = root(severe);
    expect(text(card.querySelector('[data-photo-outcome]')))
      .to.contain('Grade 3 Severe')
      .and.contain('Referable');
    expect(card.querySelector('[data-agree]')!.getAttribute('data-agree')).to.equal('no');
    const rows = [...card.querySelectorAll('[data-probabilities] tbody tr')].map((row) =>
      [...row.children].map((cell) => text(cell)),
    );
    expect(rows[3]).to.deep.equal(['3 Severe', '60.0 %', '10.0 %']);
    expect(rows[2]).to.deep.equal(['2 Moderate', '10.0 %', '60.0 %']);
    expect(text(card.querySelector('[data-run=tfjs]'))).to.equal('webgpu, 42 ms');
    expect(text(card.querySelector('[data-run=ort]'))).to.equal('wasm, 12 ms');
    expect(text(card.querySelector('[data-model]'))).to.contain('Tiny test model (tiny v1, fp16 weights)');
    expect(card.querySelector('[data-model-notice]')).to.not.equal(null);
    expect(card.querySelector('[data-quality]')!.getAttribute('data-quality')).to.equal('gradable');
    expect(text(card.querySelector('[data-file]'))).to.contain('P-1-right.jpeg, 4752 × 3168 px');

    const blurred = root(photoCard(detail, p1Today[2]!.id));
    expect(text(blurred.querySelector('[data-not-graded]'))).to.equal(`Not graded: ${BLURRED_MESSAGE}`);
    expect(blurred.querySelector('[data-quality]')!.getAttribute('data-quality')).to.equal('ungradable');
    const issue = blurred.querySelector<HTMLElement>('[data-issue=blurred]')!;
    expect([issue.dataset.value, issue.dataset.limit, text(issue)]).to.deep.equal(['12', '28', BLURRED_MESSAGE]);
    expect(blurred.querySelector('[data-heatmap-toggle]')).to.equal(null);
  });

  it("shows a variant's fallback, the model's credit and a photo graded although judged ungradable", async () => {
    const photo = gradedPhoto('P-3', 'left', 2, T0, { quality: BLURRED, gradedAnyway: true });
    const credit = 'Training data: IDRiD, CC BY 4.0';
    const record: PhotoRecord = {
      ...photo,
      model: { ...photo.model, credit },
      tfjs: { ...photo.tfjs, backend: 'wasm', fallback: 'The GPU was lost: graded on wasm' },
    };
    const el = await historyOf([record]);
    const detail = await open(el, record.visitId);
    const card = root(photoCard(detail, record.id));
    expect(text(card.querySelector('[data-run=tfjs]'))).to.equal('wasm, 42 ms The GPU was lost: graded on wasm');
    expect(card.querySelector('[data-run=ort] [data-fallback]')).to.equal(null);
    expect(text(card.querySelector('[data-model-credit]'))).to.equal(credit);
    expect(card.querySelector('[data-graded-anyway]')).to.not.equal(null);
    expect(card.querySelector('[data-quality]')!.getAttribute('data-quality')).to.equal('ungradable');
    expect(text(root(detail).querySelector('[data-eye=left] [data-eye-outcome]'))).to.equal(
      'Grade 2 Moderate — referable — graded although judged ungradable',
    );
  });

  it("draws both variants' heatmaps over the thumbnail when asked", async () => {
    const el = await historyOf();
    const detail = await open(el, 'v-today');
    const photo = photoCard(detail, p1Today[1]!.id);
    expect(root(photo).querySelector('fg-heatmap')).to.equal(null);
    const toggle = root(photo).querySelector<HTMLButtonElement>('[data-heatmap-toggle]')!;
    expect(toggle.getAttribute('aria-pressed')).to.equal('false');
    toggle.click();
    await photo.updateComplete;
    expect(toggle.getAttribute('aria-pressed')).to.equal('true');
    const figures = [...root(photo).querySelectorAll<HTMLElement>('[data-heatmap]')];
    expect(figures.map((f) => f.dataset.heatmap)).to.deep.equal(['tfjs', 'ort']);
    expect(text(figures[1])).to.contain('grade 2 Moderate');
    for (const figure of figures) {
      const map = figure.querySelector('fg-heatmap')!;
      await map.updateComplete;
      const canvas = root(map).querySelector('canvas')!;
      expect([canvas.width, canvas.height]).to.deep.equal([2, 2]);
      // The fixture's map is hottest in its lower right cell and empty in its upper left.
      const alpha = canvas
        .getContext('2d')!
        .getImageData(0, 0, 2, 2)
        .data.filter((_, i) => i % 4 === 3);
      expect(alpha[0]).to.equal(0);
      expect(alpha[3]).to.be.above(150);
      expect(figure.querySelector('img')!.src).to.match(/^blob:/);
    }
    toggle.click();
    await photo.updateComplete;
    expect(root(photo).querySelector('fg-heatmap')).to.equal(null);
  });

  it('asks for the report to be printed', async () => {
    const el = await historyOf();
    const printed = collect<{ visitId: string }>(el, 'fg-print-report');
    const detail = await open(el, 'v-before');
    root(detail).querySelector<HTMLButtonElement>('[data-print-report]')!.click();
    expect(printed).to.deep.equal([{ visitId: 'v-before' }]);
  });

  it('is accessible, heatmaps shown', async () => {
    const el = await historyOf();
    const detail = await open(el, 'v-today');
    const photo = photoCard(detail, p1Today[1]!.id);
    root(photo).querySelector<HTMLButtonElement>('[data-heatmap-toggle]')!.click();
    await photo.updateComplete;
    await expect(detail).shadowDom.to.be.accessible();
    await expect(photo).shadowDom.to.be.accessible();
    await expect(photoCard(detail, p1Today[2]!.id)).shadowDom.to.be.accessible();
  });
});

describe('deleting from a visit, with undo', () => {
  it('deletes a photo, an eye’s photos or the whole visit: the ids go to the owner', async () => {
    const el = await historyOf();
    const deletions = collect<{ ids: string[] }>(el, 'fg-delete-photos');
    const detail = await open(el, 'v-today');
    root(photoCard(detail, p1Today[2]!.id)).querySelector<HTMLButtonElement>('[data-delete-photo]')!.click();
    root(detail).querySelector<HTMLButtonElement>('[data-delete-eye=right]')!.click();
    root(detail).querySelector<HTMLButtonElement>('[data-delete-visit]')!.click();
    expect(deletions.map((d) => [...d.ids].sort())).to.deep.equal([
      [p1Today[2]!.id],
      ids(p1Today.slice(0, 2)).sort(),
      ids(p1Today).sort(),
    ]);
  });

  it('offers "Undo", focused, which asks to restore the records deleted; a new deletion replaces the offer', async () => {
    const el = await historyOf();
    const restores = collect<{ records: PhotoRecord[] }>(el, 'fg-restore-photos');
    const detail = await open(el, 'v-today');
    root(detail).querySelector<HTMLButtonElement>('[data-delete-eye=right]')!.click();
    const bar = root(el).querySelector('fg-undo-bar')!;
    await waitUntil(() => root(bar).querySelector('[data-undo]'), 'undo offered');
    expect(root(bar).querySelector('[role=status]')!.textContent).to.contain('2 photos deleted');
    await waitUntil(() => focused() === root(bar).querySelector('[data-undo]'), 'the Undo button has focus');

    root(detail).querySelector<HTMLButtonElement>('[data-delete-visit]')!.click();
    await el.updateComplete;
    await bar.updateComplete;
    expect(text(root(bar).querySelector('[data-undo-message]'))).to.equal('3 photos deleted');
    root(bar).querySelector<HTMLButtonElement>('[data-undo]')!.click();
    await el.updateComplete;
    expect(restores).to.have.length(1);
    expect(restores[0]!.records).to.have.members(p1Today);
    await bar.updateComplete;
    expect(root(bar).querySelector('[data-undo]')).to.equal(null);
  });

  it('withdraws the offer after a while', async () => {
    const el = await historyOf(all, 50);
    const detail = await open(el, 'v-p2');
    root(detail).querySelector<HTMLButtonElement>('[data-delete-visit]')!.click();
    const bar = root(el).querySelector('fg-undo-bar')!;
    await waitUntil(() => root(bar).querySelector('[data-undo]'), 'undo offered');
    // Focus stays on Undo while it is offered; the offer lapses once focus leaves.
    (focused() as HTMLElement).blur();
    await waitUntil(() => !root(bar).querySelector('[data-undo]'), 'the offer lapsed');
  });

  it('closes a visit that is gone and returns to the list', async () => {
    const el = await historyOf();
    await open(el, 'v-p2');
    el.records = all.filter((r) => r.visitId !== 'v-p2');
    await el.updateComplete;
    expect(detailOf(el)).to.equal(null);
    expect(entry(el, 'v-today')).to.not.equal(null);
  });
});

/** A host that binds the list exactly as <fg-app> does, over the real records controller and store. */
class HistoryHost extends LitElement {
  readonly said: string[] = [];
  readonly records = new RecordsController(this, {
    dbName: () => this.dbName,
    announce: (text) => this.said.push(text),
  });
  dbName = `fg-history-view-${crypto.randomUUID()}`;

  override render() {
    const { records } = this;
    return litHtml`<fg-history-list
      .records=${records.state.records}
      @fg-delete-photos=${(e: HTMLElementEventMap['fg-delete-photos']) => void records.deleteMany(e.detail.ids)}
      @fg-restore-photos=${(e: HTMLElementEventMap['fg-restore-photos']) => void records.restore(e.detail.records)}
      @fg-export-records=${(e: HTMLElementEventMap['fg-export-records']) => void records.export(e.detail.format)}
    ></fg-history-list>`;
  }
}
customElements.define('fg-history-host', HistoryHost);

describe('the history over the records store', function () {
  this.timeout(20000);

  it('deletes a visit from the store and puts it back on Undo', async () => {
    const host = document.createElement('fg-history-host') as HistoryHost;
    const store = await ScreeningStore.open(host.dbName);
    for (const record of all) await store.save(record);
    document.body.append(host);
    try {
      await waitUntil(() => host.records.state.records.length === all.length, 'listed');
      await host.updateComplete;
      const el = root(host).querySelector('fg-history-list')!;
      await el.updateComplete;
      const detail = await open(el, 'v-today');
      root(detail).querySelector<HTMLButtonElement>('[data-delete-visit]')!.click();
      await waitUntil(() => host.records.state.records.length === all.length - 3, 'deleted');
      expect(ids(await store.listPhotos())).to.not.include.members(ids(p1Today));
      await el.updateComplete;
      expect(detailOf(el), 'the visit is gone').to.equal(null);

      const bar = root(el).querySelector('fg-undo-bar')!;
      await waitUntil(() => root(bar).querySelector('[data-undo]'), 'undo offered');
      root(bar).querySelector<HTMLButtonElement>('[data-undo]')!.click();
      await waitUntil(() => host.records.state.records.length === all.length, 'restored');
      expect(ids(await store.listPhotos())).to.deep.equal(ids(all));
      expect(host.said).to.include('3 photos restored.');
      await el.updateComplete;
      expect(entry(el, 'v-today')).to.not.equal(null);
    } finally {
      host.remove();
      store.close();
      indexedDB.deleteDatabase(host.dbName);
    }
  });
});

describe('the history by keyboard and on a narrow screen', () => {
  it('opens a visit with Enter or Space and returns with Escape, focus back on its entry', async () => {
    const el = await historyOf();
    entry(el, 'v-before').focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => detailOf(el), 'opened with Enter');
    const detail = detailOf(el)!;
    await waitUntil(() => focused() === root(detail).querySelector('h2'), 'focus on the visit’s heading');
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !detailOf(el), 'closed with Escape');
    await waitUntil(() => focused() === entry(el, 'v-before'), 'focus back on the entry');

    await sendKeys({ press: 'Space' });
    await waitUntil(() => detailOf(el), 'opened with Space');
    root(detailOf(el)!).querySelector<HTMLButtonElement>('[data-back]')!.click();
    await waitUntil(() => focused() === entry(el, 'v-before'), 'Back returns focus to the entry');
  });

  it('is accessible', async () => {
    const el = await historyOf();
    await expect(el).shadowDom.to.be.accessible();
  });

  it('needs no horizontal scrolling at 360 px, in the list and in a visit with its heatmaps', async () => {
    await setViewport({ width: 360, height: 740 });
    try {
      // As the app frames the tab: the page's padding and a card's.
      const wrapper = await fixture<HTMLElement>(
        html`<div style="padding: 20px; box-sizing: border-box">
          <div class="card" style="padding: 16px 20px; border: 1px solid">
            <fg-history-list .records=${all}></fg-history-list>
          </div>
        </div>`,
      );
      const el = wrapper.querySelector('fg-history-list')!;
      await el.updateComplete;
      // Nothing sticks out of the card (its scroll width counts every descendant, shadow trees too).
      const card = wrapper.querySelector('.card')!;
      const fits = () => card.scrollWidth <= card.clientWidth && document.documentElement.scrollWidth <= 360;
      expect(fits(), 'the list').to.equal(true);
      const detail = await open(el, 'v-today');
      for (const photo of root(detail).querySelectorAll<FgVisitPhoto>('fg-visit-photo')) {
        root(photo).querySelector<HTMLButtonElement>('[data-heatmap-toggle]')?.click();
        await photo.updateComplete;
        root(photo).querySelector('details')?.setAttribute('open', '');
      }
      expect(fits(), 'the visit').to.equal(true);
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });
});
