/**
 * The dependency rule of .dependency-cruiser.cjs (README "How it is built"): imports run downward
 * only and no module outside store/ imports a backend. dependency-cruiser reads src/ as tsc does
 * (type-only imports included); a scratch tree with one upward import shows the rules bite.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as IConfiguration;

async function cruiseTree(root: string): Promise<ICruiseResult> {
  const tsConfig = extractTSConfig(join(root, 'tsconfig.json'));
  const cwd = process.cwd();
  process.chdir(root); // the rules name paths from the project's root
  try {
    const r = await cruise(['src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden }, tsConfig: { fileName: 'tsconfig.json' } }, {}, { tsConfig });
    return r.output as ICruiseResult;
  } finally {
    process.chdir(cwd);
  }
}

const violations = (r: ICruiseResult) => r.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);

const scratch = mkdtempSync(join(tmpdir(), 'syndb-deprule-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the dependency rule', () => {
  it('holds for src/: no upward import, no backend outside store/', async () => {
    const r = await cruiseTree(process.cwd());
    expect(violations(r)).toEqual([]);
    // the cruise saw the code as tsc does: every relative import resolved to a file of src/
    expect(r.summary.totalCruised).toBeGreaterThan(150);
    const unresolved = r.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `${m.source}: ${d.module}`));
    expect(unresolved).toEqual([]);
  });

  it('fails on an upward import and on a backend imported outside store/', async () => {
    const file = (p: string, text: string) => {
      mkdirSync(join(scratch, p, '..'), { recursive: true });
      writeFileSync(join(scratch, p), text);
    };
    file('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src/**/*.ts'] }));
    file('src/http/page.ts', "export const page = (s: string) => `<p>${s}</p>`;\n");
    file('src/util/text.ts', "import type { page } from '../http/page.js';\nexport type Page = typeof page;\n");
    file('src/store/remote/remote-store.ts', 'export class RemoteStore {}\n');
    file('src/service/tables.ts', "import { RemoteStore } from '../store/remote/remote-store.js';\nexport const s = new RemoteStore();\n");
    const r = await cruiseTree(scratch);
    expect(violations(r).sort()).toEqual([
      'backend-outside-store: src/service/tables.ts -> src/store/remote/remote-store.ts',
      'upward-from-store-util-sparql: src/util/text.ts -> src/http/page.ts',
    ]);
  });
});
