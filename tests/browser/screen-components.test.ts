import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/app/components/fg-grade-result.js';
import { DEMO_MODEL_NOTICE, type FgGradeResult } from '../../src/app/components/fg-grade-result.js';
import '../../src/app/components/fg-photo-picker.js';
import type { FgPhotoPicker } from '../../src/app/components/fg-photo-picker.js';
import '../../src/app/components/fg-photo-preview.js';
import { retinaSquare, type FgPhotoPreview } from '../../src/app/components/fg-photo-preview.js';
import '../../src/app/components/fg-screening-form.js';
import type { FgScreeningForm, GradeRequestDetail } from '../../src/app/components/fg-screening-form.js';
import type { FovReport, GradeResult, Heatmap, RgbaPixels } from '../../src/shared/protocol.js';
import { gradeResult } from './record-fixtures.js';

const $ = <T extends Element>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;

function photoFile(name = 'eye.jpeg'): File {
  return new File([new Uint8Array([0xff, 0xd8, 0xff])], name, { type: 'image/jpeg' });
}

function filesOf(file: File): FileList {
  const transfer = new DataTransfer();
  transfer.items.add(file);
  return transfer.files;
}

describe('<fg-photo-picker>', () => {
  it('emits the file chosen with the file picker', async () => {
    const el = await fixture<FgPhotoPicker>(html`<fg-photo-picker></fg-photo-picker>`);
    const input = $<HTMLInputElement>(el, '#file');
    expect(input.accept).to.equal('image/jpeg,image/png,image/webp');
    input.files = filesOf(photoFile());
    setTimeout(() => input.dispatchEvent(new Event('change')));
    const { detail } = await oneEvent<CustomEvent<{ file: File; source: string }>>(el, 'fg-photo-chosen');
    expect(detail.file.name).to.equal('eye.jpeg');
    expect(detail.source).to.equal('file');
  });

  it('offers the tablet camera through capture="environment"', async () => {
    const el = await fixture<FgPhotoPicker>(html`<fg-photo-picker></fg-photo-picker>`);
    const camera = $<HTMLInputElement>(el, '#camera');
    expect(camera.getAttribute('capture')).to.equal('environment');
    camera.files = filesOf(photoFile('camera.jpeg'));
    setTimeout(() => camera.dispatchEvent(new Event('change')));
    expect((await oneEvent<CustomEvent<{ file: File; source: string }>>(el, 'fg-photo-chosen')).detail.source).to.equal(
      'camera',
    );
  });

  it('accepts a dropped and a pasted photo', async () => {
    const el = await fixture<FgPhotoPicker>(html`<fg-photo-picker></fg-photo-picker>`);
    const zone = $<HTMLElement>(el, '.zone');
    const dropped = new DataTransfer();
    dropped.items.add(photoFile('dropped.jpeg'));
    setTimeout(() =>
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true })),
    );
    expect((await oneEvent<CustomEvent<{ file: File; source: string }>>(el, 'fg-photo-chosen')).detail).to.deep.include(
      { source: 'drop' },
    );

    const pasted = new DataTransfer();
    pasted.items.add(photoFile('pasted.jpeg'));
    setTimeout(() =>
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true })),
    );
    const { detail } = await oneEvent<CustomEvent<{ file: File; source: string }>>(el, 'fg-photo-chosen');
    expect([detail.source, detail.file.name]).to.deep.equal(['paste', 'pasted.jpeg']);
  });

  it('emits each of several files chosen at once, and names the eye it is for', async () => {
    const el = await fixture<FgPhotoPicker>(html`<fg-photo-picker subject="left eye"></fg-photo-picker>`);
    const names: string[] = [];
    el.addEventListener('fg-photo-chosen', (e) => names.push(e.detail.file.name));
    const input = $<HTMLInputElement>(el, '#file');
    const transfer = new DataTransfer();
    transfer.items.add(photoFile('one.jpeg'));
    transfer.items.add(photoFile('two.jpeg'));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
    expect(names).to.deep.equal(['one.jpeg', 'two.jpeg']);
    const labels = [...el.shadowRoot!.querySelectorAll('button')].map((b) => b.textContent.replace(/\s+/g, ' ').trim());
    expect(labels).to.deep.equal(['Choose photo of the left eye…', 'Take photo of the left eye']);
  });

  it('leaves a paste to the picker that takes it, where the page has several', async () => {
    const taking = await fixture<FgPhotoPicker>(html`<fg-photo-picker takes-paste></fg-photo-picker>`);
    const other = await fixture<FgPhotoPicker>(html`<fg-photo-picker .takesPaste=${false}></fg-photo-picker>`);
    const chosen: string[] = [];
    taking.addEventListener('fg-photo-chosen', () => chosen.push('taking'));
    other.addEventListener('fg-photo-chosen', () => chosen.push('other'));
    const pasted = new DataTransfer();
    pasted.items.add(photoFile('pasted.jpeg'));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }));
    expect(chosen).to.deep.equal(['taking']);
  });

  it('is accessible', async () => {
    const el = await fixture<FgPhotoPicker>(html`<fg-photo-picker></fg-photo-picker>`);
    await expect(el).shadowDom.to.be.accessible();
  });
});

describe('<fg-photo-preview>', () => {
  const preview: RgbaPixels = { data: new Uint8ClampedArray(40 * 30 * 4).fill(200).buffer, width: 40, height: 30 };
  const fov: FovReport = {
    found: true,
    verdict: 'ok',
    message: 'Retina found.',
    confidence: 0.95,
    circle: { cx: 0.5, cy: 0.5, radius: 0.4 },
  };

  it('draws the preview and circles the field of view', async () => {
    const el = await fixture<FgPhotoPreview>(
      html`<fg-photo-preview .preview=${preview} .fov=${fov} fileName="eye.jpeg"></fg-photo-preview>`,
    );
    const canvas = $<HTMLCanvasElement>(el, 'canvas');
    expect([canvas.width, canvas.height]).to.deep.equal([40, 30]);
    expect(canvas.getContext('2d')!.getImageData(10, 10, 1, 1).data[0]).to.equal(200);
    const circle = $<SVGCircleElement>(el, 'circle[data-fov]');
    expect([circle.getAttribute('cx'), circle.getAttribute('cy'), circle.getAttribute('r')]).to.deep.equal([
      '20',
      '15',
      '16',
    ]);
    expect(canvas.getAttribute('aria-label')).to.contain('retina outlined');
  });

  it('lays the heatmap over the square of the retina the models saw, and says where it is strongest', async () => {
    // 40×30 preview, circle centred with radius 0.4 × 40 = 16: the square is 32 px from (4, -1).
    const map: Heatmap = { grade: 2, width: 2, height: 2, values: [1, 0, 0, 0], ms: 1 };
    const el = await fixture<FgPhotoPreview>(
      html`<fg-photo-preview .preview=${preview} .fov=${fov} .heatmap=${map} fileName="eye.jpeg"></fg-photo-preview>`,
    );
    const box = $<SVGForeignObjectElement>(el, 'foreignObject[data-heatmap]');
    expect(['x', 'y', 'width', 'height'].map((name) => box.getAttribute(name))).to.deep.equal(['4', '-1', '32', '32']);
    expect(box.querySelector('fg-heatmap')!.heatmap).to.equal(map);
    expect($(el, '[data-heatmap-caption]').textContent).to.contain('grade 2 (Moderate)').and.contain('upper left');
    expect($(el, 'canvas').getAttribute('aria-label')).to.contain('heatmap shown');
    expect(retinaSquare({ ...fov, circle: { cx: 0.25, cy: 0.5, radius: 0.25 } }, 40, 30)).to.deep.equal({
      x: 0,
      y: 5,
      side: 20,
    });

    el.heatmap = null;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('foreignObject, [data-heatmap-caption]')).to.equal(null);
  });

  it('draws no circle when no retina was found', async () => {
    const el = await fixture<FgPhotoPreview>(
      html`<fg-photo-preview .preview=${preview} .fov=${{ ...fov, found: false }}></fg-photo-preview>`,
    );
    expect(el.shadowRoot!.querySelector('circle')).to.equal(null);
  });
});

describe('<fg-screening-form>', () => {
  it('asks for a grading, and for one against the quality gate as "Grade anyway"', async () => {
    const el = await fixture<FgScreeningForm>(html`<fg-screening-form can-grade></fg-screening-form>`);
    const button = $<HTMLButtonElement>(el, 'button[type=submit]');
    expect(button.textContent.trim()).to.equal('Grade');
    setTimeout(() => button.click());
    expect((await oneEvent<CustomEvent<GradeRequestDetail>>(el, 'fg-grade-requested')).detail).to.deep.equal({
      anyway: false,
    });

    el.anyway = true;
    await el.updateComplete;
    expect(button.textContent.trim()).to.equal('Grade anyway');
    expect($(el, '#why').textContent).to.contain('graded anyway');
    setTimeout(() => button.click());
    expect((await oneEvent<CustomEvent<GradeRequestDetail>>(el, 'fg-grade-requested')).detail).to.deep.equal({
      anyway: true,
    });
  });

  it('cannot grade without a usable photo, and says why to keyboard and screen-reader users', async () => {
    const el = await fixture<FgScreeningForm>(
      html`<fg-screening-form reason="No retina was found in this photo."></fg-screening-form>`,
    );
    const button = $<HTMLButtonElement>(el, 'button[type=submit]');
    expect(button.disabled).to.equal(true);
    const why = el.shadowRoot!.getElementById(button.getAttribute('aria-describedby')!)!;
    expect(why.textContent).to.contain('No retina was found in this photo.');
    expect(why.checkVisibility()).to.equal(true);
  });

  it('offers Cancel while grading', async () => {
    const el = await fixture<FgScreeningForm>(
      html`<fg-screening-form can-grade busy stage="Running ONNX Runtime…"></fg-screening-form>`,
    );
    expect($(el, '#why').textContent).to.contain('Running ONNX Runtime…');
    const cancel = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.includes('Cancel'))!;
    setTimeout(() => cancel.click());
    await oneEvent(el, 'fg-grade-cancelled');
  });

  it('is accessible', async () => {
    const el = await fixture<FgScreeningForm>(html`<fg-screening-form can-grade anyway></fg-screening-form>`);
    await expect(el).shadowDom.to.be.accessible();
  });
});

describe('<fg-grade-result>', () => {
  it('shows the grade, the referral, both variants side by side, backends and times', async () => {
    const el = await fixture<FgGradeResult>(
      html`<fg-grade-result .result=${gradeResult(2)} .saveState=${{ state: 'saved' }}></fg-grade-result>`,
    );
    expect($(el, '[data-grade]').textContent).to.match(/2\s*Moderate/);
    expect($(el, '[data-referral]').textContent).to.contain('Refer to an ophthalmologist');
    expect($(el, '[data-agree]').getAttribute('data-agree')).to.equal('yes');
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim()),
    );
    expect(rows[2]).to.deep.equal(['2 Moderate', '60.0 %', '60.0 %']);
    expect($(el, '[data-backend=tfjs]').textContent).to.equal('webgpu');
    expect($(el, 'dl.runs').textContent).to.contain('42 ms');
    expect($(el, '[data-demo]').textContent).to.equal('Demo model trained on synthetic images — not for clinical use');
    expect($(el, '[data-demo]').hasAttribute('data-model-notice')).to.equal(true);
    expect(el.shadowRoot!.querySelector('[data-saved]')).to.not.equal(null);
  });

  it('explains a disagreement and refers on the higher grade', async () => {
    const el = await fixture<FgGradeResult>(html`<fg-grade-result .result=${gradeResult(1, 3)}></fg-grade-result>`);
    expect($(el, '[data-grade]').getAttribute('data-grade')).to.equal('3');
    expect($(el, '[data-agree]').textContent).to.contain('The models disagree');
    expect($(el, '[data-referral]').getAttribute('data-referral')).to.equal('refer');
  });

  it('says no referral below grade 2, and shows a failed save as an alert', async () => {
    const el = await fixture<FgGradeResult>(
      html`<fg-grade-result
        .result=${gradeResult(1)}
        .saveState=${{ state: 'failed', message: 'Storage is full' }}
      ></fg-grade-result>`,
    );
    expect($(el, '[data-referral]').textContent).to.contain('No referral needed');
    expect($(el, '[role=alert]').textContent).to.contain('Storage is full');
    const retry = $<HTMLButtonElement>(el, '[role=alert] button[data-retry-save]');
    expect(retry.textContent).to.equal('Save again');
    setTimeout(() => retry.click());
    await oneEvent(el, 'fg-retry-save');
  });

  it("refers below grade 2 when P(grade ≥ 2) reaches the model's screening threshold, and says why", async () => {
    // The fixture's grade 1 has P(grade ≥ 2) = 0.3.
    const refer = await fixture<FgGradeResult>(
      html`<fg-grade-result .result=${gradeResult(1, 1, 0.25)}></fg-grade-result>`,
    );
    expect($(refer, '[data-grade]').getAttribute('data-grade')).to.equal('1');
    expect($(refer, '[data-referral]').getAttribute('data-referral')).to.equal('refer');
    // As the screener reads it: the template's line breaks collapse to single spaces.
    const spoken = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ');
    expect(spoken($(refer, '[data-refer-by=probability]').textContent)).to.contain(
      "probability of referable DR (grade 2 or higher), 30.0 %, reaches this model's screening threshold of 25.0 %",
    );
    expect(spoken(refer.shadowRoot!.textContent)).to.contain(
      'or when the probability of grade 2 or higher is 25.0 % or more',
    );

    const below = await fixture<FgGradeResult>(
      html`<fg-grade-result .result=${gradeResult(1, 1, 0.35)}></fg-grade-result>`,
    );
    expect($(below, '[data-referral]').getAttribute('data-referral')).to.equal('none');
    expect(below.shadowRoot!.querySelector('[data-refer-by]')).to.equal(null);
    // A referable grade refers on its own, with no probability note.
    const moderate = await fixture<FgGradeResult>(
      html`<fg-grade-result .result=${gradeResult(2, 2, 0.99)}></fg-grade-result>`,
    );
    expect($(moderate, '[data-referral]').getAttribute('data-referral')).to.equal('refer');
    expect(moderate.shadowRoot!.querySelector('[data-refer-by]')).to.equal(null);
  });

  it('shows the referral decision the result carries instead of deciding again', async () => {
    // The variants alone (grade 1, P(grade ≥ 2) 0.3) would not be referred without a threshold: the
    // worker's decision, as carried in the result, is what is shown.
    const result = gradeResult(1);
    const carried: GradeResult = { ...result, outcome: { ...result.outcome, refer: true, referBy: 'grade', grade: 2 } };
    const el = await fixture<FgGradeResult>(html`<fg-grade-result .result=${carried}></fg-grade-result>`);
    expect($(el, '[data-grade]').getAttribute('data-grade')).to.equal('2');
    expect($(el, '[data-referral]').getAttribute('data-referral')).to.equal('refer');
  });

  it("shows the model's own notice over the demo notice, the demo notice without one, and none for a model with neither", async () => {
    const notice =
      'Research model trained on 413 photographs from one clinic and one camera type (IDRiD). Not a medical device; not for clinical use.';
    const withModel = (model: Partial<GradeResult['model']>): GradeResult => {
      const result = gradeResult(2);
      return { ...result, model: { ...result.model, ...model } };
    };
    for (const demo of [true, false]) {
      const el = await fixture<FgGradeResult>(
        html`<fg-grade-result .result=${withModel({ demo, notice })}></fg-grade-result>`,
      );
      const shown = $(el, '[data-model-notice]');
      expect(shown.textContent).to.equal(notice);
      expect(shown.hasAttribute('data-demo')).to.equal(true);
      expect(el.shadowRoot!.textContent).not.to.contain(DEMO_MODEL_NOTICE);
    }
    const demo = await fixture<FgGradeResult>(
      html`<fg-grade-result .result=${withModel({ demo: true })}></fg-grade-result>`,
    );
    expect($(demo, '[data-model-notice]').textContent).to.equal(DEMO_MODEL_NOTICE);
    const plain = await fixture<FgGradeResult>(
      html`<fg-grade-result .result=${withModel({ demo: false })}></fg-grade-result>`,
    );
    expect(plain.shadowRoot!.querySelector('[data-model-notice], [data-demo]')).to.equal(null);
  });

  it('moves focus to its heading and is accessible', async () => {
    const el = await fixture<FgGradeResult>(html`<fg-grade-result .result=${gradeResult(0)}></fg-grade-result>`);
    el.focusHeading();
    expect(el.shadowRoot!.activeElement?.tagName).to.equal('H2');
    await expect(el).shadowDom.to.be.accessible();
  });
});
