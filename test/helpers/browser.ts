/**
 * A real headless Chromium for end-to-end tests: Debian's chromium package (installed here with
 * apt-get when missing, never downloaded by a tool), driven by playwright-core through its
 * executablePath; axe-core for accessibility checks. When playwright-core or axe-core is not
 * installed, `openBrowser` returns the reason and the tests are skipped with it printed.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from './debian.js';
import { projectPath } from '../../src/util/paths.js';

const require = createRequire(import.meta.url);

export const ARTIFACTS = projectPath('test-artifacts', 'e2e');

type PW = typeof import('playwright-core');
export type Browser = import('playwright-core').Browser;
export type Page = import('playwright-core').Page;

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserUnavailable(): string | undefined {
  for (const pkg of ['playwright-core', 'axe-core']) {
    try { require.resolve(pkg); } catch { return `npm package "${pkg}" is not installed (add it to devDependencies: playwright-core ^1.65, axe-core ^4.14)`; }
  }
  return undefined;
}

export const CHROMIUM = '/usr/bin/chromium';

export async function openBrowser(): Promise<Browser> {
  ensureDebianPackages(['chromium']);
  if (!existsSync(CHROMIUM)) throw new Error(`Debian chromium is installed but ${CHROMIUM} is missing`);
  const pw = (await import('playwright-core')) as PW;
  mkdirSync(ARTIFACTS, { recursive: true });
  return pw.chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: test machines run as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: Array<{ target: unknown; failureSummary?: string }> }

/** Run axe-core (WCAG 2 A/AA rules) on the page; the violations. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/** Serious and critical violations only. */
export const serious = (v: AxeViolation[]) => v.filter((x) => x.impact === 'serious' || x.impact === 'critical');
