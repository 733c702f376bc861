// Drives the built app's Screen tab, a screening visit, from Playwright (the e2e tests and the measuring
// scripts share it).
import type { Locator, Page } from 'playwright-core';

/** 420 px: it fails the quality gate (too few pixels across the retina), so it is graded only "anyway". */
export const FUNDUS_FIXTURE = 'tests/browser/fixtures/fundus.jpeg';
/** Synthetic, and large enough to pass the quality gate. */
export const GRADABLE_FIXTURE = 'tests/browser/fixtures/fundus-1400.jpeg';

export type VisitEye = 'right' | 'left';

interface GradedVariant {
  backend: string;
  grade: number;
  probabilities: number[];
}

export interface GradedScreening {
  id: string;
  visitId: string;
  patientId: string;
  eye: string;
  grade: number;
  refer: boolean;
  gradedAnyway: boolean;
  tfjs: GradedVariant;
  ort: GradedVariant;
}

/** Each variant's backend and inference time in the app's fg-screening-saved detail (what the measuring scripts read). */
export interface TimedScreening {
  tfjs: { backend: string; ms: number };
  ort: { backend: string; ms: number };
}

type Photo = string | { name: string; mimeType: string; buffer: Buffer };

/** Waits until the header says the model is ready (and, with `offline`, that the app is stored for offline use). */
export async function waitForApp(page: Page, { offline = false, timeout = 120000 } = {}): Promise<void> {
  await page.locator('fg-status-summary [data-chip=model]', { hasText: 'Model ready' }).waitFor({ timeout });
  if (offline)
    await page.locator('fg-status-summary [data-chip=offline]', { hasText: 'Ready offline' }).waitFor({ timeout });
}

export const eyePanel = (page: Page, eye: VisitEye): Locator => page.locator(`fg-app fg-eye-panel[eye=${eye}]`);

/** Selects the Screen tab unless it is selected (a click would scroll the page back to the tabs). */
async function openScreenTab(page: Page): Promise<void> {
  const tab = page.locator('fg-app [role=tab]#tab-screen');
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

/** The eye's Grade button ("Grade", or "Grade anyway" for a photo the quality gate judged ungradable). */
export const gradeButton = (page: Page, eye: VisitEye = 'right'): Locator =>
  eyePanel(page, eye).locator('fg-screening-form button[data-grade]');

/** Types the visit's patient id (saved with every photo of the visit). */
export async function enterPatientId(page: Page, patientId: string): Promise<void> {
  await openScreenTab(page);
  await page.locator('fg-app #visit-patient').fill(patientId);
}

/**
 * Opens the Screen tab and adds a photo to an eye; resolves once the worker has read it (its retina
 * circled) and, for a photo the quality gate judged ungradable, it is saved as ungraded. Resolves with
 * whether it passed the gate.
 */
export async function choosePhoto(
  page: Page,
  file: Photo,
  { eye = 'right', timeout = 60000 }: { eye?: VisitEye; timeout?: number } = {},
): Promise<{ gradable: boolean }> {
  await openScreenTab(page);
  const panel = eyePanel(page, eye);
  const photos = Number(await panel.locator('section[data-photos]').getAttribute('data-photos'));
  await panel.locator('fg-photo-picker input#file').setInputFiles(file);
  await panel.locator(`section[data-photos="${photos + 1}"]`).waitFor({ state: 'attached', timeout });
  await panel.locator('fg-photo-preview circle[data-fov]').waitFor({ state: 'attached', timeout });
  const verdict = await panel.locator('fg-visit-quality [data-quality]').getAttribute('data-quality', { timeout });
  if (verdict === 'ungradable')
    await panel.locator('[data-kept=saved], [data-retry-save]').first().waitFor({ state: 'attached', timeout });
  return { gradable: verdict === 'gradable' };
}

/** Resolves with the next graded record the app saves; rejects with the app's message when grading or saving fails. */
export function nextGradedSave(page: Page): Promise<GradedScreening> {
  return page.evaluate(
    () =>
      new Promise<GradedScreening>((resolve, reject) => {
        const app = document.querySelector('fg-app')!;
        app.addEventListener('fg-screening-saved', (event) => {
          const record = (event as CustomEvent<GradedScreening & { kind: string }>).detail;
          if (record.kind !== 'graded') return;
          const { id, visitId, patientId, eye, grade, refer, gradedAnyway, tfjs, ort } = record;
          // Without the timings: they differ from run to run. (No named functions in here: tsx would wrap
          // them in a __name() helper that does not exist in the page.)
          resolve({
            id,
            visitId,
            patientId,
            eye,
            grade,
            refer,
            gradedAnyway,
            tfjs: { backend: tfjs.backend, grade: tfjs.grade, probabilities: tfjs.probabilities },
            ort: { backend: ort.backend, grade: ort.grade, probabilities: ort.probabilities },
          });
        });
        for (const type of ['fg-grade-failed', 'fg-screening-not-saved']) {
          app.addEventListener(type, (event) =>
            reject(new Error((event as CustomEvent<{ message: string }>).detail.message)),
          );
        }
      }),
  );
}

/**
 * Adds a photo to an eye of the visit on screen, grades it (anyway, where the quality gate judged it
 * ungradable) and resolves with what was saved; rejects with the app's message when the grading fails
 * or the record could not be saved.
 */
export async function gradePhoto(
  page: Page,
  file: Photo,
  { eye = 'right', patientId }: { eye?: VisitEye; patientId?: string } = {},
): Promise<GradedScreening> {
  if (patientId !== undefined) await enterPatientId(page, patientId);
  await choosePhoto(page, file, { eye });
  const saved = nextGradedSave(page);
  await gradeButton(page, eye).click();
  return saved;
}
