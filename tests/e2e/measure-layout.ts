/**
 * The built app's layout in headless Chromium at a tablet's and a phone's sizes (printed, not asserted):
 *   node --import tsx tests/e2e/measure-layout.ts [--screenshots] [--model tiny]
 * Needs `npm run build` first (`npm run measure:layout` builds). At 820×1180, 1180×820, 390×844 and
 * 360×740, with a synthetic fixture photo chosen in the Screen tab, it prints
 * - the document's scroll width against the viewport's (anything wider scrolls sideways);
 * - whether the Grade button is inside the viewport without scrolling;
 * - the tab bar's width, and whether its tabs scroll inside it;
 * - the focus ring of the selected tab and of the Grade button: its colour, what it sits on, the contrast.
 * --screenshots also writes the web manifest's screenshots, static/screenshots/narrow.png (390×844) and
 * wide.png (1180×820), of the Screen tab with the synthetic photo graded: never a real patient's photo.
 * Without --model they show the shipped model (the app's default), as an installed app would.
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { launchChromium, startBuiltServer } from './built-app.js';
import {
  choosePhoto,
  enterPatientId,
  GRADABLE_FIXTURE,
  gradeButton,
  gradePhoto,
  waitForApp,
} from './screening-page.js';

/** Synthetic (tests/browser/fixtures/make-fixtures.mjs), as is the patient id the screenshots show. */
const PHOTO = GRADABLE_FIXTURE;
const SCREENSHOT_PATIENT = 'P-0427';

const { values } = parseArgs({
  options: {
    screenshots: { type: 'boolean', default: false },
    model: { type: 'string' },
  },
});

const VIEWPORTS = [
  { name: 'tablet portrait', width: 820, height: 1180 },
  { name: 'tablet landscape', width: 1180, height: 820 },
  { name: 'phone', width: 390, height: 844 },
  { name: 'small phone', width: 360, height: 740 },
] as const;

/** The phone's shows the visit's summary (the eyes' panels fill its screen); the tablet's, both eyes side by side. */
const SCREENSHOTS = [
  { file: 'static/screenshots/narrow.png', width: 390, height: 844, show: 'summary' },
  { file: 'static/screenshots/wide.png', width: 1180, height: 820, show: 'top' },
] as const;

type Rgba = [number, number, number, number];

function parseColor(text: string): Rgba {
  const match = /rgba?\(([^)]+)\)/.exec(text);
  if (!match) throw new Error(`unexpected colour ${text}`);
  const [r, g, b, a = 1] = match[1]!
    .split(/[\s,/]+/)
    .filter(Boolean)
    .map(Number);
  return [r!, g!, b!, a];
}

/** Paints the colours front to back over white: what the eye sees behind a transparent element. */
function composite(frontToBack: readonly string[]): Rgba {
  let colour: Rgba = [255, 255, 255, 1];
  for (const layer of [...frontToBack].reverse()) {
    const [r, g, b, a] = parseColor(layer);
    colour = [r * a + colour[0] * (1 - a), g * a + colour[1] * (1 - a), b * a + colour[2] * (1 - a), 1];
  }
  return colour;
}

function luminance([r, g, b]: Rgba): number {
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG contrast ratio. */
function contrast(a: Rgba, b: Rgba): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

const hex = ([r, g, b]: Rgba) => `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

interface RingStyle {
  outlineStyle: string;
  outlineWidth: string;
  outlineColor: string;
  outlineOffset: string;
  boxShadow: string;
  /** Background colours from the element (inset ring) or its parent outwards, until an opaque one. */
  behind: string[];
}

/** The focused element's ring as computed, and the colours it is drawn on. */
async function ringOf(target: Locator): Promise<RingStyle> {
  return target.evaluate((element) => {
    const style = getComputedStyle(element);
    const inset = parseFloat(style.outlineOffset) < 0;
    const behind: string[] = [];
    let node: Element | null = inset ? element : element.parentElement;
    while (node) {
      const colour = getComputedStyle(node).backgroundColor;
      behind.push(colour);
      if (!/rgba\(.*,\s*0\)$/.test(colour) && !/rgba\(.*,\s*0?\.\d+\)$/.test(colour)) break;
      const root = node.getRootNode();
      node = node.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
    }
    return {
      outlineStyle: style.outlineStyle,
      outlineWidth: style.outlineWidth,
      outlineColor: style.outlineColor,
      outlineOffset: style.outlineOffset,
      boxShadow: style.boxShadow,
      behind,
    };
  });
}

/** The ring's colours against what lies behind it; the app's ring is two-tone, so the better of the two counts. */
function describeRing(ring: RingStyle): string {
  if (ring.outlineStyle === 'none' || parseFloat(ring.outlineWidth) === 0) return 'no ring';
  const background = composite(ring.behind);
  const outline = composite([ring.outlineColor, ...ring.behind]);
  const ratios = [contrast(outline, background)];
  let text = `${ring.outlineWidth} ${hex(outline)}`;
  const halo = /rgba?\([^)]+\)/.exec(ring.boxShadow)?.[0];
  if (halo) {
    const haloColour = composite([halo, ...ring.behind]);
    ratios.push(contrast(haloColour, background));
    text += ` with a ${hex(haloColour)} halo`;
  }
  const each = ratios.map((ratio) => `${ratio.toFixed(1)}:1`).join(' and ');
  return `${text} on ${hex(background)} (offset ${ring.outlineOffset}): ${each}, best ${Math.max(...ratios).toFixed(1)}:1`;
}

/** The tab bar's width, its tabs' and whether they scroll inside it. */
async function tabBar(page: Page): Promise<string> {
  const tabs = await page.locator('fg-app [role=tablist]').evaluate((bar) => ({
    width: bar.getBoundingClientRect().width,
    scrollWidth: bar.scrollWidth,
    clientWidth: bar.clientWidth,
    labels: Array.from(bar.querySelectorAll('[role=tab]')).map((tab) => tab.textContent?.trim() ?? ''),
    tabsWidth: Array.from(bar.querySelectorAll('[role=tab]')).reduce<number>(
      (sum, tab) => sum + tab.getBoundingClientRect().width,
      0,
    ),
  }));
  const scrolls =
    tabs.scrollWidth > tabs.clientWidth ? `, scrolls inside the bar (${tabs.scrollWidth} px of tabs)` : ', all in view';
  return `tab bar ${Math.round(tabs.width)} px, tabs ${Math.round(tabs.tabsWidth)} px (${tabs.labels.join(' | ')})${scrolls}`;
}

async function openApp(browser: Browser, url: string, width: number, height: number) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(url);
  await waitForApp(page);
  return { context, page };
}

async function measure(page: Page, width: number, height: number): Promise<string[]> {
  const scroll = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  const button = await gradeButton(page).boundingBox();
  const inView =
    !!button &&
    button.x >= 0 &&
    button.y >= 0 &&
    button.x + button.width <= width &&
    button.y + button.height <= height;
  const tabs = await tabBar(page);

  // Focus by keyboard, as :focus-visible needs: the arrow keys move between tabs and focus the one selected.
  const selected = page.locator('fg-app [role=tab][aria-selected=true]');
  await selected.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  const tabRing = describeRing(await ringOf(selected));
  await gradeButton(page).focus();
  const buttonRing = describeRing(await ringOf(gradeButton(page)));

  return [
    `document ${scroll.scrollWidth} px wide in a ${scroll.clientWidth} px viewport: ${
      scroll.scrollWidth > scroll.clientWidth
        ? `scrolls sideways by ${scroll.scrollWidth - scroll.clientWidth} px`
        : 'no sideways scroll'
    }`,
    button
      ? `Grade button at ${Math.round(button.x)},${Math.round(button.y)} (${Math.round(button.width)}×${Math.round(button.height)}): ${
          inView ? 'in view' : 'out of view without scrolling'
        }`
      : 'Grade button: not found',
    tabs,
    `focus ring, selected tab: ${tabRing}`,
    `focus ring, Grade button: ${buttonRing}`,
  ];
}

/** A visit with both eyes graded, photographed as the screen shows it (nothing focused). */
async function screenshot(page: Page, file: string, show: 'summary' | 'top'): Promise<void> {
  await enterPatientId(page, SCREENSHOT_PATIENT);
  await gradePhoto(page, PHOTO, { eye: 'right' });
  await gradePhoto(page, PHOTO, { eye: 'left' });
  await page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    (active as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  if (show === 'summary')
    await page
      .locator('fg-app fg-screen-view .card:has(fg-visit-summary)')
      .evaluate((card) => card.scrollIntoView({ block: 'start' }));
  const png = await page.screenshot();
  await sharp(png).png({ compressionLevel: 9, palette: true, quality: 90 }).toFile(file);
  console.log(`wrote ${file}`);
}

const server = await startBuiltServer();
const browser = await launchChromium();
const query = (model: string | undefined) => `${server.url}/?backend=wasm${model ? `&model=${model}` : ''}`;
try {
  const model = values.model ?? 'tiny';
  console.log(`Screen tab with ${PHOTO} chosen for the right eye (model ${model}, wasm)`);
  for (const { name, width, height } of VIEWPORTS) {
    const { context, page } = await openApp(browser, query(model), width, height);
    await choosePhoto(page, PHOTO, { eye: 'right' });
    console.log(`\n${name} ${width}×${height}`);
    for (const line of await measure(page, width, height)) console.log(`  ${line}`);
    // With a record saved, History's tab carries the count.
    await gradeButton(page, 'right').click();
    await page.locator('fg-app [role=tab]#tab-history', { hasText: '(1)' }).waitFor({ timeout: 60_000 });
    console.log(`  once graded: ${await tabBar(page)}`);
    await context.close();
  }
  if (values.screenshots) {
    await mkdir('static/screenshots', { recursive: true });
    for (const { file, width, height, show } of SCREENSHOTS) {
      const { context, page } = await openApp(browser, query(values.model), width, height);
      await screenshot(page, file, show);
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
