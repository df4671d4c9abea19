/**
 * `syndb search [--q TEXT] [--region R]... [--species S]... [--and FACET]... [--sort S] [--page N]
 * [--page-size N] [--format text|json|jsonld] [--facets] [--all]`: the filters of GET /datasets.
 * Runs on the store of SYNDB_DATA_DIR, read-only; shows what anonymous users see (--all: everything).
 */
import { parseArgs } from 'node:util';
import { configFromEnv } from '../service/config.js';
import { openContext, type ServiceContext } from '../service/context.js';
import { ANONYMOUS, type Caller } from '../model/caller.js';
import { InputError } from '../model/problems.js';
import { FACETS, FACET_LABELS, parseParams, SearchError } from '../search/query.js';
import { searchServices } from '../service/search-services.js';
import type { SearchResult } from '../search/index.js';

export const SEARCH_USAGE = `search [--q TEXT] [--FACET VALUE]... [--and FACET] [--sort S] [--page N] [--page-size N] [--format text|json] [--facets] [--all]
                                facets: ${FACETS.join(', ')}; repeat a facet for OR, --and FACET for AND, a value "!v" excludes`;

/** Run a search; returns the text to print. Throws InputError (exit 1) for bad filters. */
export async function runSearch(ctx: ServiceContext, args: string[], caller: Caller = ANONYMOUS): Promise<{ text: string; result: SearchResult }> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    q: { type: 'string', multiple: true }, and: { type: 'string', multiple: true }, sort: { type: 'string' }, page: { type: 'string' }, 'page-size': { type: 'string' },
    format: { type: 'string' }, facets: { type: 'boolean' }, all: { type: 'boolean' },
  };
  for (const f of FACETS) options[f] = { type: 'string', multiple: true };
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true });
  const entries: Array<[string, unknown]> = [];
  const q = [...((values.q as string[] | undefined) ?? []), ...positionals];
  if (q.length) entries.push(['q', q.join(' ')]);
  for (const f of FACETS) for (const v of (values[f] as string[] | undefined) ?? []) entries.push([f, v]);
  for (const f of (values.and as string[] | undefined) ?? []) entries.push([`${f}.op`, 'and']);
  if (values.sort) entries.push(['sort', values.sort]);
  if (values.page) entries.push(['page', values.page]);
  if (values['page-size']) entries.push(['pageSize', values['page-size']]);
  const s = await searchServices(ctx);
  let result: SearchResult;
  try {
    const p = parseParams(entries, { defaultPageSize: 50 });
    result = await s.index.search(p, caller, s.view(caller));
  } catch (e) {
    if (e instanceof SearchError) throw new InputError('The search is not valid', e.problems.map((p) => ({ path: p.parameter, value: p.value, message: p.message, severity: 'Violation' as const })));
    throw e;
  }
  if (values.format === 'json') {
    return { result, text: JSON.stringify({ total: result.total, page: result.page, pageSize: result.pageSize, datasets: result.hits.map((h) => ({ id: h.doc.id, version: h.doc.version, title: h.doc.title, iri: ctx.iris.concept(h.doc.id) })), facets: values.facets ? result.facets : undefined }, null, 2) };
  }
  if (values.format !== undefined && values.format !== 'text') throw new InputError('Bad option', [{ path: '--format', value: String(values.format), message: 'expected text or json', severity: 'Violation' }]);
  const lines = [`${result.total} dataset${result.total === 1 ? '' : 's'}${result.total > result.hits.length ? ` (page ${result.page}, ${result.hits.length} shown)` : ''}`];
  for (const h of result.hits) lines.push(`${h.doc.id}\tv${h.doc.version}\t${h.doc.title}`);
  if (values.facets) {
    for (const f of FACETS) {
      if (!result.facets[f].length) continue;
      lines.push('', `${FACET_LABELS[f]}:`, ...result.facets[f].slice(0, 15).map((c) => `  ${c.selected ? '*' : ' '} ${c.value}\t${c.count}\t${c.label}`));
    }
  }
  return { result, text: lines.join('\n') };
}

/** The `syndb search` command (hook: `case 'search': return await (await import('./search-command.js')).searchCmd(rest);`). */
export async function searchCmd(args: string[]): Promise<number> {
  const ctx = await openContext(configFromEnv(), { readOnly: true });
  try {
    const all = args.includes('--all');
    const { text } = await runSearch(ctx, args, all ? { user: 'cli', role: 'admin' } : ANONYMOUS);
    process.stdout.write(`${text}\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}
