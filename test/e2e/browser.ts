import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestServer } from '../setup/server.js';
import { PASSWORD } from '../factories.js';
import { rootDir } from '../../server/paths.js';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

// Debian's Chromium only: Playwright's own browser download cannot run here, so a missing browser fails loudly instead of skipping.
export function chromiumExecutable(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on PATH; try the usual location below
  }
  if (fs.existsSync(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  throw new Error("Chromium is not installed: the e2e tests need Debian's chromium (apt-get update && apt-get install -y chromium; .ci/run does this)");
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Collects what a page must never show: script errors and CSP violations (console), failed responses (an error page still has an h1). */
export function watchPage(page: Page): { consoleErrors: string[]; httpErrors: string[] } {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  const httpErrors: string[] = [];
  page.on('response', (response) => {
    // Chromium asks for a favicon on its own; the app has none.
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') httpErrors.push(`${response.status()} ${response.url()}`);
  });
  return { consoleErrors, httpErrors };
}

/**
 * Submits a form (or follows a link) and waits for the page it lands on, which must match `lands`. Waiting for the
 * next document load rather than for the URL matters when the form posts back to the page it is on: a URL wait
 * resolves at once there, before the answer. A wrong landing fails with what the page says (an error, a 503).
 */
export async function submitAndLand(page: Page, submit: () => Promise<void>, lands: RegExp): Promise<void> {
  const loaded = page.waitForEvent('load', { timeout: 30_000 });
  await submit();
  await loaded;
  if (!lands.test(page.url())) {
    const text = await page
      .locator('body')
      .innerText()
      .catch(() => '');
    throw new Error(`landed on ${page.url()} instead of ${String(lands)}: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
  }
}

/** Waits until the picture has really arrived and decoded (a broken or refused image has naturalWidth 0). */
export async function imageLoaded(image: Locator): Promise<void> {
  await image.scrollIntoViewIfNeeded();
  await image.page().waitForFunction('(img) => img.complete && img.naturalWidth > 0', await image.elementHandle(), { timeout: 10_000 });
}

export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 1366, height: 860 };

/** The browser and the app server a test file drives, started before its tests and closed after them. */
export type Rig = { browser: Browser; server: Awaited<ReturnType<typeof startTestServer>> };
export function useBrowserAndServer(opts: Parameters<typeof startTestServer>[0] = {}): Rig {
  const rig = {} as Rig;
  beforeAll(async () => {
    [rig.browser, rig.server] = await Promise.all([launchBrowser(), startTestServer(opts)]);
  }, 60_000);
  afterAll(async () => {
    await rig.browser?.close();
    await rig.server?.close();
  });
  return rig;
}

export type OpenedPage = { context: BrowserContext; page: Page; consoleErrors: string[]; httpErrors: string[]; problems: () => string[] };

/** A page in a new browser context, in Chinese, on a phone (touch, 375 px) or a desktop (1366 px), watched for what must never happen. */
export async function openPage(rig: Rig, device: 'phone' | 'desktop', opts: { viewport?: { width: number; height: number } } = {}): Promise<OpenedPage> {
  const phone = device === 'phone';
  const context = await rig.browser.newContext({
    viewport: opts.viewport ?? (phone ? PHONE : DESKTOP),
    baseURL: rig.server.baseUrl,
    locale: 'zh-CN',
    ...(phone ? { isMobile: true, hasTouch: true } : {}),
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const { consoleErrors, httpErrors } = watchPage(page);
  return { context, page, consoleErrors, httpErrors, problems: () => [...consoleErrors, ...httpErrors] };
}

/** Signs in through the login page and waits for the console it lands on. */
export async function signInOnPage(page: Page, login: string, lands: RegExp = /\/console\//, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码').fill(password);
  await Promise.all([page.waitForURL(lands), page.getByRole('button', { name: '登录' }).click()]);
}

/** The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; other runs write them where git ignores them. */
const screenshotDir = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(rootDir, 'docs', 'screenshots') : path.join(rootDir, 'test-results', 'screenshots');

/**
 * A screenshot for the README: what the screen shows (a phone's fixed tab bar stays at the bottom), or the whole
 * page when asked.
 */
export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, name), fullPage: opts.fullPage ?? false });
}
