// The visit's views on their own: an eye's panel (fg-eye-panel, with fg-visit-quality and fg-visit-photos)
// and the visit summary, drawn from hand-made visit state; what they dispatch is what the visit acts on.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/app/components/fg-eye-panel.js';
import { actedOnHeatmap } from '../../src/app/components/eye-panel-parts.js';
import type { FgEyePanel } from '../../src/app/components/fg-eye-panel.js';
import type { FgHeatmap } from '../../src/app/components/fg-heatmap.js';
import '../../src/app/components/fg-visit-summary.js';
import type { FgVisitSummary } from '../../src/app/components/fg-visit-summary.js';
import { eyeStatus, type ScreenPhoto, type VisitAction } from '../../src/app/controllers/visit-state.js';
import type { PhotoRecord } from '../../src/app/records/screening-record.js';
import { recordsVisitOutcome } from '../../src/app/records/visit-photo.js';
import type { GradeResult, InspectResult, QualityReport } from '../../src/shared/protocol.js';
import { BLURRED, BLURRED_MESSAGE, GRADABLE, gradedPhoto, gradeResult, ungradedPhoto } from './record-fixtures.js';
import { deep } from './shadow-dom.js';

const spoken = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function inspected(quality: QualityReport = GRADABLE): InspectResult {
  const { image, fov } = gradeResult(0);
  const data = new Uint8ClampedArray(40 * 30 * 4).fill(160).buffer;
  return { photoId: 'kept', image, fov, preview: { data, width: 40, height: 30 }, quality };
}

function screenPhoto(name: string, change: Partial<ScreenPhoto> = {}): ScreenPhoto {
  return {
    id: `photo-${name}`,
    eye: 'left',
    file: new File([name], name, { type: 'image/jpeg' }),
    order: 1,
    inspect: inspected(),
    readError: '',
    grading: null,
    result: null,
    gradeError: '',
    record: null,
    save: null,
    ...change,
  };
}

/** The visit actions the element dispatches from now on. */
function actions(el: HTMLElement): VisitAction[] {
  const seen: VisitAction[] = [];
  el.addEventListener('fg-visit-action', (e) => seen.push(e.detail));
  return seen;
}

const gradeButton = (el: FgEyePanel) => deep<HTMLButtonElement>(el, 'fg-screening-form', 'button[data-grade]')!;

describe('<fg-eye-panel>', () => {
  it('shows the quality gate’s verdict with its measured value, and offers "Grade anyway"', async () => {
    const photo = screenPhoto('blurred.jpeg', { inspect: inspected(BLURRED) });
    const el = await fixture<FgEyePanel>(html`<fg-eye-panel eye="left" .photos=${[photo]}></fg-eye-panel>`);
    const verdict = deep(el, 'fg-visit-quality', '[data-quality=ungradable]');
    expect(spoken(verdict)).to.equal(BLURRED_MESSAGE);
    expect(spoken(verdict)).to.contain('focus 12, needs ≥ 28');

    const seen = actions(el);
    const button = gradeButton(el);
    expect(spoken(button)).to.equal('Grade anyway');
    button.click();
    expect(seen).to.deep.equal([{ type: 'grade', photoId: photo.id, anyway: true }]);
  });

  it('says under a disabled Grade why it cannot grade, and asks for a plain Grade on a gradable photo', async () => {
    const photo = screenPhoto('os.jpeg');
    const el = await fixture<FgEyePanel>(
      html`<fg-eye-panel
        eye="left"
        .photos=${[photo]}
        blocker="Wait: the right eye's photo is being graded."
      ></fg-eye-panel>`,
    );
    expect(spoken(deep(el, 'fg-visit-quality', '[data-quality=gradable]'))).to.equal('Quality check: gradable.');
    const button = gradeButton(el);
    expect([spoken(button), button.disabled]).to.deep.equal(['Grade', true]);
    const form = deep(el, 'fg-screening-form')!;
    expect(spoken(form.shadowRoot!.getElementById(button.getAttribute('aria-describedby')!))).to.equal(
      "Wait: the right eye's photo is being graded.",
    );

    const seen = actions(el);
    el.blocker = '';
    await el.updateComplete;
    await (form as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    gradeButton(el).click();
    expect(seen).to.deep.equal([{ type: 'grade', photoId: photo.id, anyway: false }]);
  });

  it('draws the heatmap of the grade acted on over the photo when asked, and takes it away again', async () => {
    // The variants disagree: ONNX Runtime's grade 3 is the one acted on, so its map is shown.
    const result: GradeResult = gradeResult(1, 3);
    result.variants.ort.heatmap = { grade: 3, width: 2, height: 2, values: [0, 0, 0, 1], ms: 2 };
    const photo = screenPhoto('os.jpeg', { result, record: gradedPhoto('P', 'left', 3, 1000) });
    const el = await fixture<FgEyePanel>(
      html`<fg-eye-panel
        eye="left"
        .photos=${[photo]}
        .next=${{ text: 'Next: a photo of the right eye.', target: 'right' }}
      ></fg-eye-panel>`,
    );
    expect(actedOnHeatmap(result)).to.equal(result.variants.ort.heatmap);
    expect(deep(el, 'fg-photo-preview', 'foreignObject')).to.equal(null);
    const toggle = deep<HTMLButtonElement>(el, '[data-heatmap-toggle]')!;
    expect(toggle.getAttribute('aria-pressed')).to.equal('false');

    toggle.click();
    await el.updateComplete;
    const preview = deep<HTMLElement & { updateComplete: Promise<unknown> }>(el, 'fg-photo-preview')!;
    await preview.updateComplete;
    expect(toggle.getAttribute('aria-pressed')).to.equal('true');
    const heatmap = deep<FgHeatmap>(el, 'fg-photo-preview', 'foreignObject[data-heatmap] fg-heatmap')!;
    expect(heatmap.heatmap).to.equal(result.variants.ort.heatmap);
    await heatmap.updateComplete;
    const canvas = heatmap.shadowRoot!.querySelector('canvas')!;
    // The hot cell, lower right, is drawn; the cold one, upper left, is not.
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, 2, 2).data;
    expect([pixels[3], pixels[15]! > 150]).to.deep.equal([0, true]);
    expect(spoken(deep(el, 'fg-photo-preview', '[data-heatmap-caption]'))).to.contain('lower right');

    toggle.click();
    await el.updateComplete;
    await preview.updateComplete;
    expect(deep(el, 'fg-photo-preview', 'foreignObject')).to.equal(null);
    // Graded: the bar says what comes next instead of offering Grade.
    expect(spoken(deep(el, '[data-next-step]'))).to.equal('Next: a photo of the right eye.');
    expect(deep(el, 'fg-screening-form')).to.equal(null);
  });

  it('lists the eye’s earlier photos, each to show again, move to the other eye or remove', async () => {
    const current = screenPhoto('os-2.jpeg', { order: 2 });
    const earlier = screenPhoto('os-1.jpeg', {
      order: 1,
      record: ungradedPhoto('P', 'left', 1000),
      inspect: inspected(BLURRED),
    });
    const el = await fixture<FgEyePanel>(html`<fg-eye-panel eye="left" .photos=${[current, earlier]}></fg-eye-panel>`);
    const items = deep(el, 'fg-visit-photos')!.shadowRoot!.querySelectorAll('li');
    expect(items).to.have.length(1);
    expect(spoken(items[0]!.querySelector('[data-status]'))).to.equal(`Not graded: ${BLURRED_MESSAGE}`);
    const seen = actions(el);
    for (const name of ['show', 'move', 'remove'])
      items[0]!.querySelector<HTMLButtonElement>(`[data-${name}]`)!.click();
    expect(seen).to.deep.equal([
      { type: 'show', photoId: earlier.id },
      { type: 'move', photoId: earlier.id, eye: 'right' },
      { type: 'remove', photoId: earlier.id },
    ]);
  });

  it('adds a chosen photo to its own eye', async () => {
    const el = await fixture<FgEyePanel>(html`<fg-eye-panel eye="right" status="Missing: no photo"></fg-eye-panel>`);
    const seen = actions(el);
    const input = deep<HTMLInputElement>(el, 'fg-photo-picker', '#file')!;
    const transfer = new DataTransfer();
    transfer.items.add(new File(['x'], 'od.jpeg', { type: 'image/jpeg' }));
    input.files = transfer.files;
    setTimeout(() => input.dispatchEvent(new Event('change')));
    await oneEvent(el, 'fg-visit-action');
    expect(seen).to.have.length(1);
    expect(seen[0]).to.deep.include({ type: 'add', eye: 'right' });
    expect(spoken(deep(el, '[data-eye-status]'))).to.equal('Missing: no photo');
  });

  it('is accessible, with a photo judged ungradable and with a graded one', async () => {
    const blurred = await fixture<FgEyePanel>(
      html`<fg-eye-panel
        eye="left"
        .photos=${[screenPhoto('blurred.jpeg', { inspect: inspected(BLURRED) })]}
        status="Not graded yet"
      ></fg-eye-panel>`,
    );
    await expect(blurred).shadowDom.to.be.accessible();
    const graded = await fixture<FgEyePanel>(
      html`<fg-eye-panel
        eye="right"
        .photos=${[screenPhoto('od.jpeg', { eye: 'right', result: gradeResult(2), save: { state: 'saved' } })]}
        .next=${{ text: 'Visit done: see the summary.', target: 'summary' }}
      ></fg-eye-panel>`,
    );
    await expect(graded).shadowDom.to.be.accessible();
  });
});

describe('<fg-visit-summary>', () => {
  async function summary(records: PhotoRecord[], unfinished = '') {
    const outcome = recordsVisitOutcome(records);
    return fixture<FgVisitSummary>(
      html`<fg-visit-summary
        visitId="v-1"
        .outcome=${outcome}
        .eyes=${{ right: eyeStatus(outcome.right, []), left: eyeStatus(outcome.left, []) }}
        unfinished=${unfinished}
        can-report
      ></fg-visit-summary>`,
    );
  }

  it('says each eye’s result and refers the patient for a referable eye or one that could not be graded', async () => {
    const el = await summary([
      gradedPhoto('P', 'right', 3, 1000, { visitId: 'v-1' }),
      ungradedPhoto('P', 'left', 2000, { visitId: 'v-1' }),
    ]);
    expect(spoken(deep(el, '[data-eye=right]'))).to.equal('Grade 3 Severe — referable');
    expect(spoken(deep(el, '[data-eye=left]'))).to.equal(
      'Ungradable: too blurred (focus 12, needs ≥ 28) — retake the photo',
    );
    expect(deep(el, '[data-referral]')!.getAttribute('data-referral')).to.equal('refer');
    const reasons = [...el.shadowRoot!.querySelectorAll('[data-reasons] li')].map(spoken);
    expect(reasons).to.deep.equal([
      'Right eye: grade 3 Severe — referable',
      'Left eye could not be graded: too blurred (focus 12, needs ≥ 28) — retake the photo',
    ]);
  });

  it('shows an eye without a photo as missing, and the visit as not complete', async () => {
    const el = await summary([gradedPhoto('P', 'right', 0, 1000, { visitId: 'v-1' })]);
    expect(spoken(deep(el, '[data-eye=left]'))).to.equal('Missing: no photo');
    expect(deep(el, '[data-referral]')!.getAttribute('data-referral')).to.equal('incomplete');
    expect([...el.shadowRoot!.querySelectorAll('[data-reasons] li')].map(spoken)).to.deep.equal([
      'Left eye: no photo yet.',
    ]);

    const both = await summary([
      gradedPhoto('P', 'right', 0, 1000, { visitId: 'v-1' }),
      gradedPhoto('P', 'left', 1, 2000, { visitId: 'v-1' }),
    ]);
    expect(spoken(deep(both, '[data-referral]'))).to.equal('No referral needed');
  });

  it('asks for the printed report of its visit, and asks again before leaving unfinished work for a new visit', async () => {
    const el = await summary(
      [gradedPhoto('P', 'right', 0, 1000, { visitId: 'v-1' })],
      'In this visit one photo is not graded.',
    );
    setTimeout(() => deep<HTMLButtonElement>(el, '[data-print-report]')!.click());
    const { detail } = await oneEvent<CustomEvent<{ visitId: string }>>(el, 'fg-print-report');
    expect(detail).to.deep.equal({ visitId: 'v-1' });

    const seen = actions(el);
    deep<HTMLButtonElement>(el, '[data-new-visit]')!.click();
    await el.updateComplete;
    expect(seen).to.deep.equal([]);
    expect(spoken(deep(el, '[data-unfinished]'))).to.contain('one photo is not graded');
    expect(spoken(deep(el, '[data-new-visit]'))).to.equal('Start new visit anyway');
    deep<HTMLButtonElement>(el, '[data-new-visit]')!.click();
    expect(seen).to.deep.equal([{ type: 'new-visit' }]);
  });

  it('is accessible', async () => {
    const el = await summary([gradedPhoto('P', 'right', 2, 1000, { visitId: 'v-1' })]);
    await expect(el).shadowDom.to.be.accessible();
  });
});
