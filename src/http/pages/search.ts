/** Home page and search results (server-rendered; facet forms work without JavaScript). */
import { esc, page } from '../html.js';
import { FACETS, FACET_LABELS, SORTS, type FacetName, type SearchParams } from '../../search/query.js';
import type { FacetCount, SearchResult, SearchHit } from '../../search/index.js';
import type { Vocabulary } from '../../model/vocabulary.js';
import { compactIri } from '../../model/namespaces.js';
import { barsSvg } from '../pictures/bars-svg.js';

export const SCRIPT = '<script src="/static/app.js" defer></script>';

/** `/archive` URL for the tables of the published datasets among the hits (one page of a search result). */
export function archiveUrl(hits: SearchHit[]): string | undefined {
  const ids = hits.filter((h) => h.doc.version !== 'draft').map((h) => h.doc.id);
  return ids.length ? `/archive?datasets=${ids.join(',')}` : undefined;
}

/** A /datasets URL for these parameters with changes applied. */
export function searchUrl(p: SearchParams, change: { facet?: FacetName; value?: string; remove?: boolean; page?: number; q?: string | null } = {}): string {
  const u = new URLSearchParams();
  const q = change.q === null ? undefined : change.q ?? p.q;
  if (q) u.append('q', q);
  for (const f of FACETS) {
    let values = [...(p.filters[f] ?? [])];
    if (change.facet === f && change.value !== undefined) values = change.remove ? values.filter((v) => v !== change.value) : [...values, change.value];
    for (const v of values) u.append(f, v);
    if (p.ops[f] === 'and' && values.length) u.append(`${f}.op`, 'and');
  }
  if (p.sort) u.append('sort', p.sort);
  const pg = change.page ?? (change.facet ? 1 : p.page);
  if (pg > 1) u.append('page', String(pg));
  const s = u.toString();
  return `/datasets${s ? `?${s}` : ''}`;
}

const label = (vocab: Vocabulary, iri: string) => vocab.label(iri) ?? compactIri(iri);

function badges(vocab: Vocabulary, h: SearchHit) {
  const d = h.doc;
  const items = [
    ...d.species.map((s) => `<li title="species">${esc(label(vocab, s))}</li>`),
    ...d.region.map((s) => `<li title="brain region">${esc(label(vocab, s))}</li>`),
    ...d.method.map((s) => `<li title="microscopy method">${esc(label(vocab, s))}</li>`),
    ...d.genes.map((g) => `<li title="gene">${esc(g)}</li>`),
  ];
  return `<ul class="badges" aria-label="Key facts">${items.join('')}</ul>`;
}

function snippet(s: string, n = 260) {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n).replace(/\s+\S*$/, '')}…` : t;
}

export function resultItem(vocab: Vocabulary, h: SearchHit): string {
  const d = h.doc;
  const v = d.version === 'draft' ? 'draft' : `version ${d.version}`;
  return `<li data-dataset="${esc(d.id)}"><h2><a href="/datasets/${esc(d.id)}">${esc(d.title)}</a></h2>
${badges(vocab, h)}
<p class="muted">${esc(snippet(d.description))}</p>
<p><small>${esc(d.id)} · ${esc(v)}${h.entry.access !== 'public' ? ` · ${esc(h.entry.access)}` : ''} · compartments: ${esc(d.compartments.join(', ') || 'none')}</small><br>
<a href="/datasets/${esc(d.id)}/cite">Cite</a> · <a href="/datasets/${esc(d.id)}?format=jsonld">JSON-LD</a> · <a href="/datasets/${esc(d.id)}?format=ttl">Turtle</a></p></li>`;
}

function facetFieldset(f: FacetName, counts: FacetCount[], p: SearchParams): string {
  const chosen = new Set(p.filters[f] ?? []);
  // Values asked for that have no count now (e.g. excluded with !) stay visible so they can be unticked.
  const extra = [...chosen].filter((v) => !counts.some((c) => c.value === v || c.selected)).map((v) => ({ value: v, label: v, count: 0, selected: true }) as FacetCount);
  const all = [...counts, ...extra];
  if (!all.length) return '';
  const row = (c: FacetCount, i: number) => {
    const id = `f-${f}-${i}`;
    const checked = c.selected || chosen.has(c.value);
    const indent = f === 'region' && c.depth !== undefined ? '' : '';
    return `<label for="${id}"${indent}><input type="checkbox" id="${id}" name="${f}" value="${esc(checked && chosen.has(c.value) ? c.value : [...chosen].find((x) => x.toLowerCase() === c.value.toLowerCase()) ?? c.value)}"${checked ? ' checked' : ''}> <span>${esc(c.label)}</span> <span class="count" aria-label="${c.count} datasets">${c.count}</span></label>`;
  };
  const head = all.slice(0, 8).map(row).join('');
  const rest = all.slice(8);
  return `<fieldset class="facet" data-facet="${f}"><legend>${esc(FACET_LABELS[f])}</legend>${head}${rest.length ? `<details><summary>${rest.length} more</summary>${rest.map((c, i) => row(c, i + 8)).join('')}</details>` : ''}</fieldset>`;
}

export function searchForm(p: SearchParams, result: SearchResult | undefined, opts: { autofocus?: boolean } = {}): string {
  const sortOpts = SORTS.map((s) => `<option value="${s}"${(p.sort ?? result?.sort) === s ? ' selected' : ''}>${s}</option>`).join('');
  return `<div class="searchbar" role="search"><label for="q">Search datasets</label>
<input type="search" id="q" name="q" value="${esc(p.q ?? '')}" placeholder="e.g. mouse cortex EM, synapse, Fmr1"${opts.autofocus ? ' autofocus' : ''}>
<button type="submit">Search</button>
${result ? `<label for="sort">Sort</label> <select id="sort" name="sort">${sortOpts}</select>` : ''}</div>`;
}

export function renderResults(vocab: Vocabulary, p: SearchParams, r: SearchResult): string {
  const facets = FACETS.map((f) => facetFieldset(f, r.facets[f], p)).join('');
  const active = r.resolved.map((v) => `<a href="${esc(searchUrl(p, { facet: v.facet, value: v.input, remove: true }))}" aria-label="Remove filter ${esc(FACET_LABELS[v.facet])}: ${esc(v.label)}">${v.negated ? 'not ' : ''}${esc(FACET_LABELS[v.facet])}: ${esc(v.label)} ✕</a>`).filter((_, i) => (p.filters[r.resolved[i].facet] ?? []).includes(r.resolved[i].input));
  const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
  const nav = pages > 1 ? `<nav class="pages" aria-label="Result pages">${r.page > 1 ? `<a rel="prev" href="${esc(searchUrl(p, { page: r.page - 1 }))}">Previous</a>` : ''}<span>Page ${r.page} of ${pages}</span>${r.page < pages ? `<a rel="next" href="${esc(searchUrl(p, { page: r.page + 1 }))}">Next</a>` : ''}</nav>` : '';
  const json = searchUrl(p).replace('/datasets', '/datasets').concat(searchUrl(p).includes('?') ? '&format=json' : '?format=json');
  const jsonld = json.replace('format=json', 'format=jsonld');
  const body = `<h1>Datasets</h1>
<form method="get" action="/datasets" data-autosubmit id="search">
${searchForm(p, r)}
<div class="layout"><aside aria-label="Filters"><h2 class="muted" style="font-size:1rem;margin-top:0">Filter</h2>${facets}<button type="submit" data-apply class="secondary">Apply filters</button></aside>
<section aria-labelledby="result-count">
<p id="result-count" role="status"><strong>${r.total}</strong> dataset${r.total === 1 ? '' : 's'}${p.q ? ` for “${esc(p.q)}”` : ''}${active.length ? ` · <span class="chips">${active.join(' ')}</span>` : ''}</p>
${r.hits.length ? `<ol class="results">${r.hits.map((h) => resultItem(vocab, h)).join('')}</ol>` : `<p>No dataset matches. Remove a filter, or search for broader terms (a brain region also finds its sub-regions).</p>`}
${nav}
${archiveUrl(r.hits) ? `<p><a href="${esc(archiveUrl(r.hits)!)}" download>Download the tables of the published datasets on this page</a> (one .tar.gz with a manifest)</p>` : ''}
<p><small>This list as <a href="${esc(json)}">JSON</a> · <a href="${esc(jsonld)}">JSON-LD (Hydra)</a>. Search syntax: words, "phrases", <code>region:isocortex</code>, <code>species:mouse</code>, <code>AND</code>, <code>OR</code>, <code>NOT</code>, parentheses.</small></p>
</section></div></form>`;
  return page(p.q ? `${p.q} – datasets` : 'Datasets', body, SCRIPT);
}

export function renderHome(vocab: Vocabulary, r: SearchResult, collections: Array<{ id: string; title: string }>): string {
  const p: SearchParams = { filters: {}, ops: {}, page: 1, pageSize: 20 };
  const chips = (f: FacetName, n = 10) => {
    const list = r.facets[f].slice(0, n);
    return list.length ? `<section><h2>${esc(FACET_LABELS[f])}</h2><p class="chips">${list.map((c) => `<a href="${esc(searchUrl(p, { facet: f, value: c.value }))}">${esc(c.label)} <span class="muted">(${c.count})</span></a>`).join('')}</p></section>` : '';
  };
  const newest = [...r.hits].sort((a, b) => (b.doc.issued ?? '').localeCompare(a.doc.issued ?? '')).slice(0, 5);
  const chart = (f: FacetName, title: string) => {
    const list = r.facets[f];
    if (!list.length) return '';
    return `<figure class="card" data-chart="${f}"><figcaption><h3 class="card-h">${esc(title)}</h3></figcaption>${barsSvg(list.map((c) => ({ label: c.label, count: c.count })), { id: `chart-${f}`, title, unit: 'datasets' })}
<p><small>Browse: ${list.slice(0, 8).map((c) => `<a href="${esc(searchUrl(p, { facet: f, value: c.value }))}">${esc(c.label)}</a>`).join(' · ')}</small></p></figure>`;
  };
  const counts = [['species', 'species'], ['region', 'brain regions'], ['method', 'methods']] as const;
  const body = `<h1>Find connectomics datasets</h1>
<p>SynDB Graph links connectomics datasets to brain atlases, species and methods. A brain region finds its sub-regions too: “isocortex” finds the datasets of every cortical area and layer in it.</p>
<form method="get" action="/datasets">${searchForm(p, undefined, { autofocus: true })}</form>
<ul class="stats" aria-label="What is here"><li><a href="/datasets"><strong>${r.total}</strong> datasets</a></li>${counts.map(([f, l]) => `<li><strong>${r.facets[f].length}</strong> ${l}</li>`).join('')}${collections.length ? `<li><a href="/collections"><strong>${collections.length}</strong> collections</a></li>` : ''}</ul>
<section aria-labelledby="counts-h"><h2 id="counts-h">Datasets by species, brain region and method</h2><div class="pictures">${chart('species', 'By species')}${chart('region', 'By brain region (with sub-regions)')}${chart('method', 'By microscopy method')}</div></section>
${chips('modality')}${chips('compartment')}${chips('tag')}
${collections.length ? `<section><h2>Collections</h2><ul>${collections.slice(0, 10).map((c) => `<li><a href="/collections/${esc(c.id)}">${esc(c.title)}</a></li>`).join('')}</ul></section>` : ''}
${newest.length ? `<section><h2>Recently published</h2><ol class="results">${newest.map((h) => resultItem(vocab, h)).join('')}</ol></section>` : ''}`;
  return page('Home', body, SCRIPT);
}
