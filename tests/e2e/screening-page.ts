// Drives the built app's screening view from Playwright (the e2e tests and the measuring script share it).
import type { Page } from 'playwright-core';

export const FUNDUS_FIXTURE = 'tests/browser/fixtures/fundus.jpeg';

interface GradedVariant {
  backend: string;
  grade: number;
  probabilities: number[];
}

export interface GradedScreening {
  patientId: string;
  tfjs: GradedVariant;
  ort: GradedVariant;
}

/** Each variant's backend and inference time in the app's fg-screening-saved detail (what the measuring scripts read). */
export interface TimedScreening {
  tfjs: { backend: string; ms: number };
  ort: { backend: string; ms: number };
}

/** Waits until the header says the model is ready (and, with `offline`, that the app is stored for offline use). */
export async function waitForApp(page: Page, { offline = false, timeout = 120000 } = {}): Promise<void> {
  await page.locator('fg-status-summary [data-chip=model]', { hasText: 'Model ready' }).waitFor({ timeout });
  if (offline)
    await page.locator('fg-status-summary [data-chip=offline]', { hasText: 'Ready offline' }).waitFor({ timeout });
}

type Photo = string | { name: string; mimeType: string; buffer: Buffer };

/** Opens the screening tab and chooses a photo; resolves once its field of view is shown (gradable). */
export async function choosePhoto(page: Page, file: Photo, { timeout = 60000 } = {}): Promise<void> {
  await page.locator('fg-app [role=tab]#tab-screen').click();
  await page.locator('fg-photo-picker input#file').setInputFiles(file);
  await page.locator('fg-photo-preview circle[data-fov]').waitFor({ timeout });
}

/**
 * Chooses a photo, grades it and resolves with what was saved; rejects with the app's message when the
 * grading fails or the screening could not be saved.
 */
export async function gradePhoto(page: Page, file: Photo, patientId: string): Promise<GradedScreening> {
  await choosePhoto(page, file);
  await page.locator('fg-screening-form input#patient').fill(patientId);
  const outcome = page.evaluate(
    () =>
      new Promise<GradedScreening>((resolve, reject) => {
        const app = document.querySelector('fg-app')!;
        app.addEventListener('fg-screening-saved', (event) => {
          const { patientId, tfjs, ort } = (event as CustomEvent<GradedScreening>).detail;
          // Without the timings: they differ from run to run. (No named functions in here: tsx would wrap
          // them in a __name() helper that does not exist in the page.)
          resolve({
            patientId,
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
  await page.locator('fg-screening-form button[type=submit]').click();
  return outcome;
}
