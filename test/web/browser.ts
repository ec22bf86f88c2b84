import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

// Browser tests drive Debian's chromium through playwright-core (never a downloaded browser).
// Each test file launches its own headless chromium; each person gets a fresh context (its own
// profile and cookie jar).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = path.join(root, 'docs/screenshots');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Builds web/dist when a source under web/ is newer than the last build (parallel files take turns). */
export function ensureWebBuild(): void {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/build-web.mjs'), '--if-stale'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building the web apps failed');
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run does`);
  ensureWebBuild();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}

/** A fresh context (profile) for one person, failing the test on any page error or dialog. */
export async function personContext(browser: Browser, base: string, options: { phone?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    isMobile: options.phone,
    hasTouch: options.phone,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('dialog', async (dialog) => {
    errors.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    await dialog.dismiss();
  });
  return { context, page, errors };
}

/** Saves a screenshot of the main screens into docs/screenshots (COMMONPLACE_SCREENSHOTS=0 skips). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.COMMONPLACE_SCREENSHOTS === '0') return;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => document.fonts?.ready);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false, animations: 'disabled', caret: 'hide' });
}

/** A PNG of the given size in one colour with a white square, made with sharp (the server's resizer). */
export async function testPicture(width: number, height: number, colour = '#e8590c'): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  const square = Math.floor(Math.min(width, height) / 2);
  const inner = await sharp({ create: { width: square, height: square, channels: 3, background: '#ffffff' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .composite([{ input: inner, gravity: 'centre' }])
    .png()
    .toBuffer();
}
