// A two-eye screening visit in the built app (issue 16): offline after the first load, both eyes graded,
// the visit's summary and History; and the Grade button on screen at a tablet's and a phone's sizes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { useBuiltApp } from './app-session.js';
import {
  choosePhoto,
  enterPatientId,
  eyePanel,
  FUNDUS_FIXTURE,
  GRADABLE_FIXTURE,
  gradeButton,
  gradePhoto,
  waitForApp,
  type VisitEye,
} from './screening-page.js';

// Wasm backends and the tiny model keep this fast (as in offline-screening.e2e.ts).
const APP_QUERY = '/?backend=wasm&model=tiny';
const PATIENT = 'VISIT-E2E-1';

const normalise = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** Whether the element lies wholly inside the viewport as it is scrolled now. */
async function inView(page: Page, selector: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await selector.boundingBox();
  const viewport = page.viewportSize()!;
  return (
    !!box && box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height
  );
}

describe('a two-eye screening visit in the built app', () => {
  const app = useBuiltApp({ viewport: { width: 1180, height: 820 } });

  it(
    'offline: both eyes graded, the summary gives both grades and one referral, and History lists the visit',
    { timeout: 240000 },
    async () => {
      const page = await app.context.newPage();
      await page.goto(`${app.server.url}${APP_QUERY}`);
      await waitForApp(page, { offline: true });
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await app.context.setOffline(true);
      try {
        await page.reload();
        await waitForApp(page);
        assert.equal(await page.evaluate(() => navigator.onLine), false);

        await enterPatientId(page, PATIENT);
        const right = await gradePhoto(page, GRADABLE_FIXTURE, { eye: 'right' });
        assert.deepEqual([right.eye, right.patientId, right.gradedAnyway], ['right', PATIENT, false]);
        // The left eye's photo fails the quality gate (too few pixels): the screener grades it anyway.
        const left = await gradePhoto(page, FUNDUS_FIXTURE, { eye: 'left' });
        assert.deepEqual([left.eye, left.patientId, left.gradedAnyway], ['left', PATIENT, true]);
        assert.equal(left.visitId, right.visitId, 'one visit');

        const summary = page.locator('fg-app fg-visit-summary');
        assert.match(
          normalise(await summary.locator('[data-eye=right]').textContent()),
          new RegExp(`^Grade ${right.grade} `),
        );
        assert.match(
          normalise(await summary.locator('[data-eye=left]').textContent()),
          new RegExp(`^Grade ${left.grade} .*graded although judged ungradable$`),
        );
        const refer = right.refer || left.refer;
        assert.equal(await summary.locator('[data-referral]').getAttribute('data-referral'), refer ? 'refer' : 'none');
        const reasons = (await summary.locator('[data-reasons] li').allTextContents()).map(normalise);
        assert.deepEqual(
          reasons.map((reason) => reason.split(':')[0]),
          [right.refer ? ['Right eye'] : [], left.refer ? ['Left eye'] : []].flat(),
        );

        // Where the model looked, over the right eye's photo.
        await eyePanel(page, 'right').locator('[data-heatmap-toggle]').click();
        await eyePanel(page, 'right')
          .locator('fg-photo-preview foreignObject[data-heatmap] fg-heatmap canvas')
          .waitFor();
        assert.match(
          normalise(await eyePanel(page, 'right').locator('[data-heatmap-caption]').textContent()),
          new RegExp(`^Heatmap: where the model looked for grade [0-4]`),
        );

        await page.locator('fg-app [role=tab]#tab-history').click();
        const entry = page.locator(`fg-history-list button[data-visit-id="${right.visitId}"]`);
        assert.equal(await entry.count(), 1, 'History lists the visit once');
        assert.match(normalise(await entry.textContent()), new RegExp(PATIENT));

        // A new visit starts empty; the one before stays in History.
        await page.locator('fg-app [role=tab]#tab-screen').click();
        await summary.locator('[data-new-visit]').click();
        assert.equal(await page.locator('fg-app #visit-patient').inputValue(), '');
        assert.equal(normalise(await summary.locator('[data-eye=right]').textContent()), 'Missing: no photo');
      } finally {
        await app.context.setOffline(false);
        await page.close();
      }
    },
  );

  it(
    'keeps the Grade of the eye in work on screen with a photo loaded, and scrolls no view sideways at 360 px',
    { timeout: 180000 },
    async () => {
      const page = await app.context.newPage();
      await page.setViewportSize({ width: 820, height: 1180 });
      await page.goto(`${app.server.url}${APP_QUERY}`);
      await waitForApp(page);
      await choosePhoto(page, GRADABLE_FIXTURE, { eye: 'right' });
      const sizes = [
        [820, 1180],
        [1180, 820],
        [390, 844],
      ] as const;
      for (const [width, height] of sizes) {
        await page.setViewportSize({ width, height });
        await page.evaluate(() => window.scrollTo(0, 0));
        assert.ok(await inView(page, gradeButton(page, 'right')), `right eye's Grade in view at ${width}×${height}`);
      }

      // The left eye, further down on a phone: the screener scrolls to its picker and chooses a photo.
      const eye: VisitEye = 'left';
      await eyePanel(page, eye).locator('fg-photo-picker button').first().scrollIntoViewIfNeeded();
      await choosePhoto(page, GRADABLE_FIXTURE, { eye });
      assert.ok(await inView(page, gradeButton(page, eye)), "left eye's Grade in view at 390×844");

      await page.setViewportSize({ width: 360, height: 740 });
      const overflowing = await page.evaluate(() => {
        const view = document.querySelector('fg-app')!.shadowRoot!.querySelector('fg-screen-view')!;
        const boxes: Element[] = [view, ...Array.from(view.querySelectorAll('fg-eye-panel, fg-visit-summary, .card'))];
        for (const panel of Array.from(view.querySelectorAll('fg-eye-panel')))
          boxes.push(
            ...Array.from(
              panel.shadowRoot!.querySelectorAll('section, fg-photo-picker, fg-photo-preview, fg-visit-photos'),
            ),
          );
        return boxes
          .filter((box) => box.scrollWidth > box.clientWidth + 1 || box.getBoundingClientRect().right > innerWidth)
          .map((box) => `${box.tagName.toLowerCase()}${box.className ? `.${box.className}` : ''}`);
      });
      assert.deepEqual(overflowing, [], 'nothing in the visit is wider than the screen');
      await page.close();
    },
  );

  app.itHasNoPageProblems();
});
