/**
 * `syndb search`'s options and output, one form for both paths: the local store
 * (src/cli/search-command.ts) and a server's GET /datasets (src/cli/client-commands.ts).
 */
import { FACETS, FACET_LABELS } from '../search/query.js';
import { UsageError } from './usage-error.js';

/** The options commander parses for `syndb search` (every facet repeatable). */
export interface SearchOptions {
  text?: string[];
  q?: string[];
  and?: string[];
  sort?: string;
  page?: string;
  pageSize?: string;
  format?: string;
  facets?: boolean;
  json?: boolean;
  [facet: string]: unknown;
}

/** The search as GET /datasets parameters (free text joined, `FACET.op=and` for --and). */
export function searchEntries(o: SearchOptions): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const text = [...(o.q ?? []), ...(o.text ?? [])];
  if (text.length) entries.push(['q', text.join(' ')]);
  for (const f of FACETS) for (const v of (o[f] as string[] | undefined) ?? []) entries.push([f, v]);
  for (const f of o.and ?? []) entries.push([`${f}.op`, 'and']);
  if (o.sort) entries.push(['sort', o.sort]);
  if (o.page) entries.push(['page', o.page]);
  entries.push(['pageSize', o.pageSize ?? '50']);
  return entries;
}

/** One page of results as both paths have it. */
export interface SearchPage {
  total: number;
  page: number;
  pageSize?: number;
  /** A published version's number; a draft has none (the server says null, the local index "draft"). */
  datasets: Array<{ id: string; version: number | 'draft' | null; title: string; iri: string }>;
  facets?: Record<string, Array<{ value: string; count: number; label: string; selected?: boolean }>>;
}

/** The text `syndb search` prints: JSON with --format json (or --json), else one line a dataset and the facet counts. */
export function formatSearch(page: SearchPage, o: SearchOptions): string {
  if (o.format === 'json' || o.json) {
    return JSON.stringify({ total: page.total, page: page.page, pageSize: page.pageSize, datasets: page.datasets, facets: o.facets ? page.facets : undefined }, null, 2);
  }
  if (o.format !== undefined && o.format !== 'text') throw new UsageError(`--format ${o.format}: expected text or json`);
  const lines = [`${page.total} dataset${page.total === 1 ? '' : 's'}${page.total > page.datasets.length ? ` (page ${page.page}, ${page.datasets.length} shown)` : ''}`];
  for (const h of page.datasets) lines.push(`${h.id}\t${typeof h.version === 'number' ? `v${h.version}` : 'draft'}\t${h.title}`);
  if (o.facets) {
    for (const f of FACETS) {
      const list = page.facets?.[f] ?? [];
      if (!list.length) continue;
      lines.push('', `${FACET_LABELS[f]}:`, ...list.slice(0, 15).map((x) => `  ${x.selected ? '*' : ' '} ${x.value}\t${x.count}\t${x.label}`));
    }
  }
  return lines.join('\n');
}
