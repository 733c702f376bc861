// The printed visit report (issue 16, point 5): a two-eye visit screened offline in the built app, its
// report opened from the visit and printed to PDF by Chromium; the PDF's text is read with pdftotext.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testToolSkipReason } from '../../tools/test-tools.mjs';
import { useBuiltApp } from './app-session.js';
import {
  choosePhoto,
  enterPatientId,
  FUNDUS_FIXTURE,
  GRADABLE_FIXTURE,
  gradePhoto,
  waitForApp,
} from './screening-page.js';

const APP_QUERY = '/?backend=wasm&model=tiny';
const PATIENT = 'REPORT-E2E-7';
const noPdftotext = testToolSkipReason('pdftotext');

interface ManifestModel {
  id: string;
  name: string;
  version: string;
}
const manifest = JSON.parse(await readFile('models/manifest.json', 'utf8')) as { models: ManifestModel[] };
/** The model the app grades with here (?model=tiny), as the report must name it. */
const tiny = manifest.models.find((model) => model.id === 'tiny')!;

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The text of each page of a PDF, whitespace normalised (pdftotext ends every page with a form feed). */
async function pdfPages(pdf: Buffer): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'fg-report-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    await writeFile(file, pdf);
    const run = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr}`);
    return run.stdout.split('\f').slice(0, -1).map(normalise);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the printed visit report', () => {
  const app = useBuiltApp({ viewport: { width: 1180, height: 820 } });
  /** The report printed by Chromium, on each paper size. */
  const printed = new Map<'A4' | 'Letter', Buffer>();

  it(
    'of a two-eye visit screened offline prints on one page: patient, eyes, decision, quality, model, credit',
    { timeout: 240000 },
    async () => {
      const page = await app.context.newPage();
      await page.goto(`${app.server.url}${APP_QUERY}`);
      await waitForApp(page, { offline: true });
      await app.context.setOffline(true);
      try {
        await page.reload();
        await waitForApp(page);

        await enterPatientId(page, PATIENT);
        // The right eye is graded; the left eye's photo fails the quality gate and is kept ungraded.
        const right = await gradePhoto(page, GRADABLE_FIXTURE, { eye: 'right' });
        assert.equal(await choosePhoto(page, FUNDUS_FIXTURE, { eye: 'left' }).then((c) => c.gradable), false);

        await page.locator('fg-visit-summary [data-print-report]').click();
        const dialog = page.locator('fg-report-dialog dialog[open]');
        await dialog.waitFor();
        const report = page.locator('fg-report-dialog fg-visit-report');
        assert.equal(await report.locator('[data-patient]').textContent(), PATIENT);
        assert.equal(await report.locator('[data-decision]').getAttribute('data-decision'), 'refer');
        assert.equal(await report.locator('[data-eye=right] img.photo').getAttribute('data-photo'), right.id);
        assert.equal(await report.locator('[data-eye=left]').getAttribute('data-status'), 'ungradable');

        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.locator('fg-app').isVisible(), false, 'the app behind the report is not printed');
        assert.equal(await page.locator('fg-report-dialog [data-print]').isVisible(), false, 'nor are the buttons');
        assert.equal(await report.isVisible(), true);
        await page.emulateMedia({ media: null });

        for (const format of ['A4', 'Letter'] as const) {
          const pdf = await page.pdf({ format });
          assert.match(pdf.subarray(0, 5).toString('latin1'), /^%PDF-/);
          printed.set(format, pdf);
        }

        await page.locator('fg-report-dialog [data-close]').click();
        await dialog.waitFor({ state: 'detached' });
      } finally {
        await app.context.setOffline(false);
        await page.close();
      }
    },
  );

  it(
    'puts the whole report, and nothing of the app, on one page of A4 and of Letter',
    { skip: noPdftotext ?? false },
    async () => {
      assert.equal(printed.size, 2, 'the report was printed');
      for (const [format, pdf] of printed) {
        const pages = await pdfPages(pdf);
        assert.equal(pages.length, 1, `${format}: one page, got ${pages.length}`);
        const text = pages[0]!;
        for (const expected of [
          'Diabetic retinopathy screening report',
          `Patient ${PATIENT}`,
          'Refer to an ophthalmologist',
          'Left eye could not be graded: too few pixels across the retina',
          'Quality: gradable',
          'Quality: ungradable',
          'Demo model trained on synthetic images — not for clinical use',
          'Training data: No training data credit recorded for this model.',
          'Fundus Grader is not a medical device and not for clinical use',
          'Generated on this device; no data left it.',
        ])
          assert.ok(text.includes(expected), `${format}: "${expected}" in the PDF's text: ${text}`);
        assert.ok(
          text.includes(`${tiny.name} — tiny, version ${tiny.version} (`),
          `${format}: the model's name and version`,
        );
        assert.match(text, /Right eye .*Grade [0-4] [A-Z]/);
        assert.match(text, /Left eye .*Ungradable: too few pixels across the retina/);
        assert.doesNotMatch(text, /Print|Close|History|Settings/, `${format}: no buttons or tabs on paper`);
      }
    },
  );

  app.itHasNoPageProblems();
});
