/** Load the example datasets (examples/) into an empty store, each published as version 1. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../util/paths.js';
import type { ServiceContext } from './context.js';

export function exampleFiles(): string[] {
  const dir = projectPath('examples');
  const top = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  const nested = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())
    .map((d) => join(dir, d.name, 'dataset.json')).filter((f) => existsSync(f)).sort();
  return [...top, ...nested];
}

export async function loadExamples(ctx: ServiceContext, log: (m: string) => void = () => {}): Promise<string[]> {
  const caller = { user: 'syndb-examples', role: 'admin' as const };
  const ids: string[] = [];
  for (const f of exampleFiles()) {
    const body = readFileSync(f, 'utf8');
    const r = await ctx.datasets.create(body, 'json', caller, { publish: true, notes: 'Example dataset loaded at first start' });
    ids.push(r.id);
    log(`example loaded: ${r.id} (${f.replace(projectPath(), '.')})`);
  }
  return ids;
}
