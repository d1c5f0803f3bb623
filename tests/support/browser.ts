import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requireBinary } from './process';

export const screenshotDir = path.resolve(import.meta.dirname, '../../test-results/screenshots');

const violations = new WeakMap<Browser, string[]>();

/**
 * Debian Chromium driven by playwright-core (never a downloaded browser). Every context it opens
 * (browser.newPage too) records Content-Security-Policy violations: the page's
 * `securitypolicyviolation` events and Chromium's "Refused to …" console errors. stopConsole fails
 * the test when any were recorded; takeCspViolations reads (and clears) them.
 */
export async function launchBrowser(): Promise<Browser> {
  requireBinary('chromium');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const seen: string[] = [];
  violations.set(browser, seen);
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => watchCsp(await newContext(options), seen);
  return browser;
}

async function watchCsp(ctx: BrowserContext, seen: string[]): Promise<BrowserContext> {
  await ctx.exposeBinding('__gatehouseCspViolation', ({ page }, text: string) => void seen.push(`${page.url()}: ${text}`));
  await ctx.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __gatehouseCspViolation: (t: string) => void }).__gatehouseCspViolation;
      report(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile || 'page'}:${e.lineNumber})`);
    });
  });
  ctx.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) seen.push(`${msg.location().url}: ${msg.text()}`);
  });
  return ctx;
}

/** The CSP violations the browser's pages reported so far; the list is emptied. */
export function takeCspViolations(browser: Browser): string[] {
  const seen = violations.get(browser) ?? [];
  return seen.splice(0, seen.length);
}

/** Saves a screenshot artifact under test-results/screenshots. */
export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
