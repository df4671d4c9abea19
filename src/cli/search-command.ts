/**
 * `syndb search [--q TEXT] [--region R]... [--species S]... [--and FACET]... [--sort S] [--page N]
 * [--page-size N] [--format text|json|jsonld] [--facets] [--all]`: the filters of GET /datasets.
 * Runs on the store of SYNDB_DATA_DIR, read-only; shows what anonymous users see (--all: everything).
 */
import { configFromEnv } from '../service/config.js';
import { openContext, type ServiceContext } from '../service/context.js';
import { ANONYMOUS, type Caller } from '../model/caller.js';
import { InputError } from '../model/problems.js';
import { parseParams, SearchError } from '../search/query.js';
import { searchServices } from '../service/search-services.js';
import type { SearchResult } from '../search/index.js';
import { formatSearch, searchEntries, type SearchOptions } from './search-format.js';

/** Run a search; returns the text to print. Throws InputError (exit 1) for bad filters. */
export async function runSearch(ctx: ServiceContext, o: SearchOptions, caller: Caller = ANONYMOUS): Promise<{ text: string; result: SearchResult }> {
  const s = await searchServices(ctx);
  let result: SearchResult;
  try {
    const p = parseParams(searchEntries(o), { defaultPageSize: 50 });
    result = await s.index.search(p, caller, s.view(caller));
  } catch (e) {
    if (e instanceof SearchError) throw new InputError('The search is not valid', e.problems.map((p) => ({ path: p.parameter, value: p.value, message: p.message, severity: 'Violation' as const })));
    throw e;
  }
  const datasets = result.hits.map((h) => ({ id: h.doc.id, version: h.doc.version, title: h.doc.title, iri: ctx.iris.concept(h.doc.id) }));
  return { result, text: formatSearch({ total: result.total, page: result.page, pageSize: result.pageSize, datasets, facets: result.facets }, o) };
}

/** The `syndb search` command (hook: `case 'search': return await (await import('./search-command.js')).searchCmd(rest);`). */
export async function searchCmd(o: SearchOptions & { all?: boolean }): Promise<number> {
  const ctx = await openContext(configFromEnv(), { readOnly: true });
  try {
    const { text } = await runSearch(ctx, o, o.all ? { user: 'cli', role: 'admin' } : ANONYMOUS);
    process.stdout.write(`${text}\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}
