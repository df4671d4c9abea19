/**
 * README "How it is built" names every module of src/ with its job in one line, so a newcomer
 * finds each file's place: a module added without its line (or a line left for a removed one)
 * fails here.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(f) ? [relative(join(ROOT, 'src'), p)] : [];
});

describe('README "How it is built"', () => {
  it('has one line for every module of src/, and none for a module that is gone', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const listed = new Set<string>();
    let group: string | undefined;
    for (const line of readme.split('\n')) {
      const g = /^- \*\*`src\/([^/]+)\/`\*\*/.exec(line);
      if (g) { group = g[1]; continue; }
      const m = /^ {2}- `([^`]+)`: \S/.exec(line);
      if (m && group) listed.add(`${group}/${m[1]}`);
      else if (!line.startsWith('  ')) group = undefined;
    }
    const modules = files(join(ROOT, 'src')).filter((f) => f.split('/').length > 1 && !f.startsWith('types/modules.d.ts'));
    expect(modules.filter((m) => !listed.has(m)), 'modules without a line in README "How it is built"').toEqual([]);
    expect([...listed].filter((l) => !modules.includes(l)), 'lines for modules that do not exist').toEqual([]);
  });
});
