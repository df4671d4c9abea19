/**
 * The dependency rule of .dependency-cruiser.cjs (README "How it is built"): imports run downward
 * only, no module outside store/ imports a backend, and no modules import each other in a circle.
 * dependency-cruiser reads src/ as tsc does (type-only imports included); a scratch tree with one
 * violation of each rule shows the rules bite.
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
  it('holds for src/: no upward import, no backend outside store/, no circle', async () => {
    const r = await cruiseTree(process.cwd());
    expect(violations(r)).toEqual([]);
    // the cruise saw the code as tsc does: every relative import resolved to a file of src/
    expect(r.summary.totalCruised).toBeGreaterThan(150);
    const unresolved = r.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `${m.source}: ${d.module}`));
    expect(unresolved).toEqual([]);
  });

  it('fails on an upward import, a backend imported outside store/ and a circle', async () => {
    const file = (p: string, text: string) => {
      mkdirSync(join(scratch, p, '..'), { recursive: true });
      writeFileSync(join(scratch, p), text);
    };
    file('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src/**/*.ts'] }));
    file('src/http/page.ts', "export const page = (s: string) => `<p>${s}</p>`;\n");
    file('src/util/text.ts', "import type { page } from '../http/page.js';\nexport type Page = typeof page;\n");
    file('src/store/remote/remote-store.ts', 'export class RemoteStore {}\n');
    file('src/service/tables.ts', "import { RemoteStore } from '../store/remote/remote-store.js';\nexport const s = new RemoteStore();\n");
    file('src/model/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    file('src/model/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    const r = await cruiseTree(scratch);
    const found = violations(r);
    expect(found.filter((v) => !v.startsWith('no-circular')).sort()).toEqual([
      'backend-outside-store: src/service/tables.ts -> src/store/remote/remote-store.ts',
      'upward-from-store-util-sparql: src/util/text.ts -> src/http/page.ts',
    ]);
    // the circle is reported once, at whichever of its two imports the cruise meets first
    expect(found.filter((v) => v.startsWith('no-circular'))).toHaveLength(1);
    expect(found.find((v) => v.startsWith('no-circular'))).toMatch(/^no-circular: src\/model\/[ab]\.ts -> src\/model\/[ab]\.ts$/);
  });
});
