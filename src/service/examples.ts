/** Load the example datasets (examples/) into an empty store, each published as version 1. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { createReadStream } from 'node:fs';
import { COMPARTMENTS } from '../model/compartment-names.js';
import { TableService } from './tables.js';
import { importDendriticTables, importConnectome } from './table-importers.js';
import { projectPath } from '../util/paths.js';
import type { ServiceContext } from './context.js';

/** Broadest first, and spines before the synapses that name them, so links to other tables resolve. */
const UPLOAD_ORDER = ['neuron', 'dendrite', 'axon', 'dendritic-spine', 'pre-synaptic-terminal', 'synapse', ...COMPARTMENTS.map((c) => c.slug).filter((c) => !['neuron', 'dendrite', 'axon', 'dendritic-spine', 'pre-synaptic-terminal', 'synapse'].includes(c))];

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
    // compartment tables next to a dataset.json (examples/syndb-style/*.csv) go into the draft before publishing
    const dcTables = basename(f) === 'dendritic-consortium-mouse-v1.json' ? join(dirname(f), 'dendritic-consortium', 'tables') : undefined;
    const tables = basename(f) === 'dataset.json' ? UPLOAD_ORDER.map((c) => join(dirname(f), `${c}.csv`)).filter((t) => existsSync(t)) : [];
    // a connectome matrix beside a dataset file (examples/<id>.connectome.csv) is imported into the draft before publishing
    const connectome = f.replace(/\.json$/, '.connectome.csv');
    const hasConnectome = basename(f) !== 'dataset.json' && existsSync(connectome);
    const created = await ctx.datasets.create(body, 'json', caller, { publish: tables.length === 0 && !dcTables && !hasConnectome, notes: 'Example dataset loaded at first start' });
    let r = created;
    if (hasConnectome) {
      await importConnectome(new TableService(ctx), created.id, readFileSync(connectome, 'utf8'), caller, { label: `${basename(connectome)}: sample connectome matrix (illustrative classes and counts, not the published figure 3)` });
      if (!dcTables && !tables.length) r = await ctx.datasets.publish(created.id, caller, 'Example dataset loaded at first start');
    }
    if (dcTables && existsSync(dcTables)) {
      // the Dendritic Consortium sample records, through the importer (links resolved, dates typed)
      const m = new Map(readdirSync(dcTables).filter((x) => x.endsWith('.csv')).sort().map((x) => [basename(x, '.csv'), readFileSync(join(dcTables, x), 'utf8')]));
      await importDendriticTables(new TableService(ctx), created.id, m, caller);
      r = await ctx.datasets.publish(created.id, caller, 'Example dataset loaded at first start');
    }
    if (tables.length) {
      const svc = new TableService(ctx);
      for (const t of tables) await svc.upload(created.id, basename(t, '.csv'), createReadStream(t), caller, { label: t.replace(projectPath(), '.') });
      r = await ctx.datasets.publish(created.id, caller, 'Example dataset loaded at first start');
    }
    ids.push(r.id);
    log(`example loaded: ${r.id} (${f.replace(projectPath(), '.')})`);
  }
  return ids;
}
