import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { LitElement } from 'lit';
import { buildConfig } from '../../src/app/build-config.js';
import { DEMO_MODEL_NOTICE } from '../../src/app/components/fg-grade-result.js';
import type { FgReportDialog } from '../../src/app/components/fg-report-dialog.js';
import '../../src/app/components/fg-visit-report.js';
import type { FgVisitReport } from '../../src/app/components/fg-visit-report.js';
import type { PhotoRecord, ScreeningRecord } from '../../src/app/records/screening-record.js';
import { ReportController } from '../../src/app/report/report-controller.js';
import { openVisitReport, reportPrintStyles } from '../../src/app/report/report-view.js';
import { APP_STATEMENT, formatReportTime, NO_CREDIT, PRIVACY_STATEMENT } from '../../src/app/report/visit-report.js';
import { BLURRED, BLURRED_MESSAGE, gradedPhoto, ungradedPhoto } from './record-fixtures.js';

const T0 = Date.UTC(2026, 2, 3, 10, 15);
const MINUTE = 60_000;
const DAY_LATER = 24 * 60 * MINUTE;
const NOTICE =
  'Research model trained on 413 photographs from one clinic and one camera type (IDRiD). Not a medical device; not for clinical use.';
const CREDIT = 'IDRiD dataset © Prasanna Porwal, Samiksha Pachade and Manesh Kokare, CC BY 4.0';

const text = (node: Element | null | undefined) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
const part = (el: Element, selector: string) => el.shadowRoot!.querySelector<HTMLElement>(selector);
const parts = (el: Element, selector: string) => [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];

/** A record graded by a research model with its notice and credit, as the shipped model's are. */
function byResearchModel(record: ScreeningRecord): ScreeningRecord {
  return {
    ...record,
    model: {
      ...record.model,
      id: 'resnet50-dr',
      version: '5',
      name: 'ResNet50 DR grader',
      demo: false,
      notice: NOTICE,
      credit: CREDIT,
    },
  };
}

async function report(records: PhotoRecord[]): Promise<FgVisitReport> {
  return fixture<FgVisitReport>(
    html`<fg-visit-report .records=${records} .generatedAt=${T0 + DAY_LATER}></fg-visit-report>`,
  );
}
describe('<fg-visit-report>', () => {
  const twoEyes = () => [
    byResearchModel(gradedPhoto('P-7', 'right', 3, T0, { visitId: 'v1' })),
    byResearchModel(gradedPhoto('P-7', 'left', 0, T0 + MINUTE, { visitId: 'v1' })),
  ];

  it('reports a two-eye visit: the patient, the time, the decision and why, each eye right then left', async () => {
    const el = await report(twoEyes());
    expect(text(part(el, '#report-title'))).to.equal('Diabetic retinopathy screening report');
    expect(text(part(el, '[data-patient]'))).to.equal('P-7');
    expect(text(part(el, '[data-visit-time]'))).to.equal(formatReportTime(T0));
    expect(text(part(el, '[data-photo-count]'))).to.equal('2');

    const decision = part(el, '[data-decision]')!;
    expect(decision.dataset.decision).to.equal('refer');
    expect(text(decision.querySelector('.decision-text'))).to.equal('Refer to an ophthalmologist');
    expect(parts(el, '[data-reasons] li').map(text)).to.deep.equal(['Right eye: grade 3 Severe — referable']);

    const eyes = parts(el, '[data-eye]');
    expect(eyes.map((eye) => eye.dataset.eye)).to.deep.equal(['right', 'left']);
    expect(eyes.map((eye) => text(eye.querySelector('h3')))).to.deep.equal(['Right eye', 'Left eye']);
    expect(eyes.map((eye) => text(eye.querySelector('[data-result]')))).to.deep.equal([
      'Grade 3 Severe — referable',
      'Grade 0 No DR',
    ]);
    for (const eye of eyes) {
      expect(eye.querySelector<HTMLImageElement>('img.photo')!.src).to.match(/^blob:/);
      expect(text(eye.querySelector('[data-agreement]'))).to.match(/^Both model variants .* agree: grade \d/);
      expect(text(eye.querySelector('[data-probability]'))).to.match(/^Probability of grade 2 or higher: \d+ %$/);
      expect(text(eye.querySelector('[data-quality]'))).to.equal('Quality: gradable');
      expect(eye.querySelector('[data-other-photos]')).to.equal(null);
    }
    expect(text(part(el, '[data-app-version]'))).to.equal(
      `Fundus Grader ${buildConfig.version} · generated ${formatReportTime(T0 + DAY_LATER)}`,
    );
    expect(text(part(el, '[data-privacy]'))).to.equal(PRIVACY_STATEMENT);
  });

  it("states the model's id, name and version, its notice and the credit for its training data", async () => {
    const el = await report(twoEyes());
    expect(parts(el, '[data-model]').map(text)).to.deep.equal([
      'ResNet50 DR grader — resnet50-dr, version 5 (fp16 weights)',
    ]);
    expect(text(part(el, '[data-model-notice]'))).to.equal(NOTICE);
    expect(text(part(el, '[data-credit]'))).to.equal(`Training data: ${CREDIT}`);
    expect(text(part(el, '[data-statement]'))).to.equal(APP_STATEMENT);
  });

  it('says so when a demo model without a credit graded the visit', async () => {
    const el = await report([gradedPhoto('P-8', 'left', 1, T0, { visitId: 'v2' })]);
    expect(text(part(el, '[data-model-notice]'))).to.equal(DEMO_MODEL_NOTICE);
    expect(text(part(el, '[data-credit]'))).to.equal(`Training data: ${NO_CREDIT}`);
  });

  it('reports an ungradable eye with why, and a missing eye as missing, and refers the patient', async () => {
    const el = await report([ungradedPhoto('', 'right', T0, { visitId: 'v3' })]);
    expect(text(part(el, '[data-patient]'))).to.equal('No patient id');
    expect(part(el, '[data-decision]')!.dataset.decision).to.equal('refer');
    expect(parts(el, '[data-reasons] li').map(text)).to.deep.equal([
      'Right eye could not be graded: too blurred (focus 12, needs ≥ 28) — retake the photo',
      'Left eye: no photo.',
    ]);
    const [right, left] = parts(el, '[data-eye]');
    expect(right!.dataset.status).to.equal('ungradable');
    expect(text(right!.querySelector('[data-result]'))).to.equal(
      'Ungradable: too blurred (focus 12, needs ≥ 28) — retake the photo',
    );
    // The reason is given once, as the eye's result.
    expect([...right!.querySelectorAll('[data-quality] li')].map(text)).to.deep.equal(['Quality: ungradable']);
    expect(right!.querySelector('[data-agreement]')).to.equal(null);
    expect(left!.dataset.status).to.equal('missing');
    expect(text(left!.querySelector('[data-result]'))).to.equal('Missing: no photo');
    expect(text(left!.querySelector('.no-photo'))).to.equal('No photo');
    expect(left!.querySelector('img')).to.equal(null);
    expect(text(part(el, '[data-models]'))).to.contain('No photo of this visit was graded');
    expect(text(part(el, '[data-statement]'))).to.equal(APP_STATEMENT);
  });

  it('calls a visit with one eye and nothing referable incomplete, not clear', async () => {
    const el = await report([gradedPhoto('P-9', 'left', 1, T0, { visitId: 'v4' })]);
    expect(part(el, '[data-decision]')!.dataset.decision).to.equal('incomplete');
    expect(text(part(el, '.decision-text'))).to.equal('Incomplete: nothing referable so far');
    expect(parts(el, '[data-reasons] li').map(text)).to.deep.equal([
      'Right eye: no photo.',
      'Screen the missing eye before deciding.',
    ]);
  });

  it('clears a complete visit with nothing referable', async () => {
    const el = await report([
      gradedPhoto('P-10', 'right', 0, T0, { visitId: 'v5' }),
      gradedPhoto('P-10', 'left', 1, T0 + MINUTE, { visitId: 'v5' }),
    ]);
    expect(part(el, '[data-decision]')!.dataset.decision).to.equal('none');
    expect(text(part(el, '.decision-text'))).to.equal('No referral needed');
  });

  it('shows the photo the eye rests on, the quality verdict of a photo graded anyway, and a disagreement', async () => {
    const retaken = gradedPhoto('P-11', 'right', 2, T0 + MINUTE, {
      visitId: 'v6',
      quality: BLURRED,
      gradedAnyway: true,
      ortGrade: 1,
    });
    const el = await report([
      ungradedPhoto('P-11', 'right', T0, { visitId: 'v6' }),
      retaken,
      gradedPhoto('P-11', 'left', 0, T0 + 2 * MINUTE, { visitId: 'v6' }),
    ]);
    const right = parts(el, '[data-eye]')[0]!;
    expect(right.querySelector<HTMLImageElement>('img.photo')!.dataset.photo).to.equal(retaken.id);
    expect(text(right.querySelector('[data-result]'))).to.equal(
      'Grade 2 Moderate — referable — graded although judged ungradable',
    );
    expect([...right.querySelectorAll('[data-quality] li')].map(text)).to.deep.equal([
      'Quality: ungradable',
      BLURRED_MESSAGE,
      'Graded anyway, at the screener’s request',
    ]);
    expect(text(right.querySelector('[data-agreement]'))).to.equal(
      'The model variants disagree: TensorFlow.js grade 2 Moderate, ONNX Runtime grade 1 Mild; the more severe is reported',
    );
    expect(text(right.querySelector('[data-other-photos]'))).to.equal('One more photo of this eye (not graded)');
  });

  it('has nothing interactive in it, so that it prints as it reads', async () => {
    const el = await report(twoEyes());
    expect(parts(el, 'button, a, input, select, textarea, [tabindex], [contenteditable]')).to.have.length(0);
  });

  it('revokes the object URLs of its photos once removed from the page', async () => {
    const created: string[] = [];
    const revoked: string[] = [];
    const { createObjectURL, revokeObjectURL } = URL;
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      const url = createObjectURL(blob);
      created.push(url);
      return url;
    };
    URL.revokeObjectURL = (url: string) => {
      revoked.push(url);
      revokeObjectURL(url);
    };
    try {
      const el = await report(twoEyes());
      expect(created).to.have.length(2);
      expect(revoked).to.have.length(0);
      el.remove();
      expect(revoked).to.have.members(created);
    } finally {
      URL.createObjectURL = createObjectURL;
      URL.revokeObjectURL = revokeObjectURL;
    }
  });
});

/** The rules inside `@media print` of some style sheets, as "selector { declarations }" text. */
function printRules(sheets: readonly CSSStyleSheet[]): CSSStyleRule[] {
  return sheets.flatMap((sheet) =>
    [...sheet.cssRules]
      .filter((rule): rule is CSSMediaRule => rule instanceof CSSMediaRule && rule.media.mediaText === 'print')
      .flatMap((media) => [...media.cssRules].filter((rule): rule is CSSStyleRule => rule instanceof CSSStyleRule)),
  );
}

describe('the report dialog', () => {
  const visit = () => [
    gradedPhoto('P-20', 'right', 2, T0, { visitId: 'v20' }),
    gradedPhoto('P-20', 'left', 0, T0 + MINUTE, { visitId: 'v20' }),
  ];

  afterEach(() => {
    for (const open of document.querySelectorAll('fg-report-dialog')) open.remove();
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== reportPrintStyles.styleSheet);
  });

  it('opens modal over the page with the report, Print and Close', async () => {
    const dialog = await openVisitReport(visit());
    expect(dialog.parentElement).to.equal(document.body);
    const native = part(dialog, 'dialog') as HTMLDialogElement;
    expect(native.open).to.equal(true);
    expect(native.matches(':modal')).to.equal(true);
    const shown = part(dialog, 'fg-visit-report') as FgVisitReport;
    await shown.updateComplete;
    expect(text(part(shown, '[data-patient]'))).to.equal('P-20');
    expect(parts(dialog, '.actions button').map(text)).to.deep.equal(['Print', 'Close']);
  });

  it("prints with the browser's print, and while open leaves everything but the report off the paper", async () => {
    const dialog = await openVisitReport(visit());
    expect(document.adoptedStyleSheets).to.include(reportPrintStyles.styleSheet);
    const page = [...reportPrintStyles.styleSheet!.cssRules];
    const pageBox = page.find((rule): rule is CSSPageRule => rule instanceof CSSPageRule);
    expect(pageBox?.style.getPropertyValue('size')).to.equal('portrait');
    const hidesApp = printRules([reportPrintStyles.styleSheet!]).find(
      (rule) => rule.selectorText === 'body > :not(fg-report-dialog)',
    );
    expect(hidesApp?.style.getPropertyValue('display')).to.equal('none');
    expect(hidesApp?.style.getPropertyPriority('display')).to.equal('important');

    // The dialog's buttons are not printed.
    const chrome = printRules(dialog.shadowRoot!.adoptedStyleSheets).find((rule) => rule.selectorText === '.actions');
    expect(chrome?.style.getPropertyValue('display')).to.equal('none');

    let printed = 0;
    const print = window.print;
    window.print = () => void (printed += 1);
    try {
      part(dialog, '[data-print]')!.click();
    } finally {
      window.print = print;
    }
    expect(printed).to.equal(1);

    const closed = oneEvent(dialog, 'fg-report-closed');
    part(dialog, '[data-close]')!.click();
    await closed;
    expect(dialog.isConnected).to.equal(false);
    expect(document.adoptedStyleSheets).not.to.include(reportPrintStyles.styleSheet);
  });

  it('replaces a report still open with the next one', async () => {
    await openVisitReport(visit());
    const next = await openVisitReport([gradedPhoto('P-21', 'left', 0, T0, { visitId: 'v21' })]);
    expect([...document.querySelectorAll('fg-report-dialog')]).to.deep.equal([next]);
  });
});

class ReportHost extends LitElement {
  records: PhotoRecord[] = [];
  readonly reports = new ReportController(this, () => this.records);
}
customElements.define('report-test-host', ReportHost);

describe('ReportController', () => {
  afterEach(() => {
    for (const open of document.querySelectorAll('fg-report-dialog')) open.remove();
  });

  it("opens the report of the visit a nested 'Print report' asks for, with that visit's photos only", async () => {
    const host = await fixture<ReportHost>(html`<report-test-host><button>Print report</button></report-test-host>`);
    host.records = [
      gradedPhoto('P-30', 'right', 1, T0, { visitId: 'wanted' }),
      gradedPhoto('P-31', 'right', 4, T0, { visitId: 'other' }),
      ungradedPhoto('P-30', 'left', T0 + MINUTE, { visitId: 'wanted' }),
    ];
    host
      .querySelector('button')!
      .dispatchEvent(
        new CustomEvent('fg-print-report', { detail: { visitId: 'wanted' }, bubbles: true, composed: true }),
      );
    await new Promise((resolve) => setTimeout(resolve));
    const dialog = document.querySelector<FgReportDialog>('body > fg-report-dialog')!;
    expect(dialog.isOpen).to.equal(true);
    expect(dialog.records.map((r) => r.id)).to.have.members([host.records[0]!.id, host.records[2]!.id]);
  });

  it('stops listening once its host leaves the page', async () => {
    const host = await fixture<ReportHost>(html`<report-test-host></report-test-host>`);
    host.records = [gradedPhoto('P-32', 'right', 1, T0, { visitId: 'gone' })];
    host.remove();
    host.dispatchEvent(new CustomEvent('fg-print-report', { detail: { visitId: 'gone' } }));
    await new Promise((resolve) => setTimeout(resolve));
    expect(document.querySelector('fg-report-dialog')).to.equal(null);
  });
});
