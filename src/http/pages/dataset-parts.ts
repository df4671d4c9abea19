/**
 * Pieces of the dataset landing page: citation box (format choice, copy button, downloads),
 * ontology term links, compartment tables (columns with descriptions, row counts, downloads).
 * Used by the citation page (/datasets/{id}/cite) and meant for renderDataset in datasets-router.ts.
 */
import { esc } from '../html.js';
import { compactIri } from '../../model/namespaces.js';
import type { Vocabulary } from '../../model/vocabulary.js';
import { renderCitation, type CitationRecord } from '../../publish/citation/index.js';
import { datasetDois } from '../../publish/dois.js';
import type { ServiceContext } from '../../service/context.js';
import type { Caller } from '../../model/caller.js';
import type { DatasetView, TableInfo } from '../../service/dataset-view.js';
import { TableService } from '../../service/tables.js';
import { NotFoundError } from '../../model/problems.js';
import { AssetService, type AssetInfo } from '../../service/assets.js';
import { connectomeMatrix, type StoredMatrix } from '../../service/connectome-matrix.js';
import { distributionSizes } from '../../service/distribution-sizes.js';
import { skeletonNodes, TooLargeToDrawError } from '../../service/skeleton-nodes.js';
import { skeletonFrame } from '../pictures/skeleton-svg.js';
import type { Frame } from '../pictures/svg-frame.js';
import { NS } from '../../model/namespaces.js';

export const CITE_FORMATS = [
  { key: 'apa', label: 'APA (text)', request: { format: 'bibliography' as const, style: 'apa' }, param: 'format=bibliography&style=apa' },
  { key: 'bibtex', label: 'BibTeX', request: { format: 'bibtex' as const }, param: 'format=bibtex' },
  { key: 'biblatex', label: 'BibLaTeX', request: { format: 'biblatex' as const }, param: 'format=biblatex' },
  { key: 'ris', label: 'RIS (EndNote, Zotero, Mendeley)', request: { format: 'ris' as const }, param: 'format=ris' },
  { key: 'csl', label: 'CSL-JSON', request: { format: 'csl' as const }, param: 'format=csl' },
  { key: 'vancouver', label: 'Vancouver (text)', request: { format: 'bibliography' as const, style: 'vancouver' }, param: 'format=bibliography&style=vancouver' },
];

/**
 * A citation box for one record (a dataset version) or several (a collection). `href` is the
 * resource URL the download links add `?format=…&download` to. Needs /static/app.js for the format
 * menu and the copy button; without it the APA text and every download link still work.
 */
export function citationBox(records: CitationRecord[], href: string, opts: { heading?: string; id?: string } = {}): string {
  const id = opts.id ?? 'cite';
  const blocks = CITE_FORMATS.map((f, i) => {
    let text: string;
    try { text = renderCitation(records, f.request, 'citation').body; } catch (e) { text = `(not available: ${(e as Error).message})`; }
    return `<pre data-format="${f.key}"${i === 0 ? '' : ' hidden'} tabindex="0" aria-label="${esc(f.label)} citation">${esc(text.trim())}</pre>`;
  }).join('');
  const sep = href.includes('?') ? '&' : '?';
  return `<section class="citation" data-citation-box aria-labelledby="${id}-h"><h2 id="${id}-h">${esc(opts.heading ?? 'Cite this dataset')}</h2>
<label for="${id}-format" hidden>Citation format</label> <select id="${id}-format" hidden>${CITE_FORMATS.map((f) => `<option value="${f.key}">${esc(f.label)}</option>`).join('')}</select>
<button type="button" data-copy hidden>Copy citation</button> <span class="status" role="status" aria-live="polite"></span>
${blocks}
<p><small>Download: ${CITE_FORMATS.map((f) => `<a href="${esc(`${href}${sep}${f.param}&download`)}">${esc(f.label.replace(/ \(.*\)$/, ''))}</a>`).join(' · ')}</small></p></section>`;
}

/** A link to an ontology term (its IRI resolves at the OBO PURL / w3id) with its label, plus "more datasets like this". */
export function termLink(vocab: Vocabulary, iri: string, facet?: string): string {
  const c = compactIri(iri);
  const value = c.startsWith('syndbv:') ? c.slice(c.lastIndexOf('/') + 1) : c;
  return `<a href="${esc(iri)}">${esc(vocab.label(iri) ?? c)}</a> <small>(${esc(c)})</small>${facet ? ` <small><a href="/datasets?${facet}=${encodeURIComponent(value)}">datasets here</a></small>` : ''}`;
}

/** 1536 -> "1.5 kB" (SI units, as Zenodo and DANDI show sizes). */
export function bytesText(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n, i = -1;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v >= 100 ? Math.round(v) : Number(v.toPrecision(3))} ${units[i]}`;
}

/** Compartment tables: one row each with rows, columns, size and downloads; the name opens the table page. */
export function tablesSection(tables: TableInfo[]): string {
  if (!tables.length) return '';
  return `<section aria-labelledby="tables-h"><h2 id="tables-h">Tables</h2><div class="scroll"><table class="files"><caption class="muted">${tables.length} compartment table${tables.length === 1 ? '' : 's'}; open one for its columns and their distributions</caption>
<thead><tr><th scope="col">Table</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Columns</th><th scope="col" class="num">Size (CSV)</th><th scope="col">Download</th></tr></thead><tbody>
${tables.map((t) => `<tr data-table="${esc(t.slug)}"><th scope="row"><a href="${esc(t.page)}">${esc(t.slug)}</a></th><td class="num">${t.rows.toLocaleString('en')}</td><td class="num">${t.columns.length}</td><td class="num">${esc(bytesText(t.bytes.csv))}</td>
<td><a href="${esc(t.download)}" aria-label="Download CSV of ${esc(t.slug)}">CSV</a> · <a href="${esc(t.parquet)}" aria-label="Download Parquet of ${esc(t.slug)}">Parquet</a> · <a href="${esc(t.csvw)}" aria-label="CSVW metadata of ${esc(t.slug)}">CSVW</a></td></tr>`).join('\n')}
</tbody></table></div></section>`;
}

export interface LandingFacts {
  issued?: string;
  doi?: string;
  tables: TableInfo[];
  connectome?: { matrix: StoredMatrix; bytes: { csv?: number; parquet?: number }; download: string; parquet: string; picture: string };
  parts: Array<{ name: string; title?: string; rows: number; csv?: { url: string; bytes: number }; parquet?: { url: string; bytes: number } }>;
  assets: AssetInfo[];
  skeletons: Array<{ asset: AssetInfo; frame?: Frame; problem?: string; picture: string }>;
}

/** At most this many skeletons are drawn on a landing page (the asset list has them all). */
export const MAX_SKELETONS = 4;

/** What the landing page shows beyond the metadata graph: tables, imported graphs, assets and their pictures. */
export async function landingFacts(ctx: ServiceContext, view: DatasetView, caller: Caller, doi: string | undefined): Promise<LandingFacts> {
  const { id, quads, entry: e } = view;
  const { subject, version } = view.target;
  const key = version === undefined ? 'draft' : String(version);
  const has = (slug: string) => (e.tables.get(key) ?? []).includes(slug);
  const issued = quads.find((q) => q.subject.value === subject && q.predicate.value === `${NS.dcterms}issued`)?.object.value;
  const facts: LandingFacts = { issued, doi, tables: await view.tables(), parts: [], assets: [], skeletons: [] };
  if (has('connectome')) {
    const graph = ctx.iris.table(id, version ?? 'draft', 'connectome');
    const base = `/datasets/${id}/tables/connectome?version=${key}`;
    facts.connectome = { matrix: await connectomeMatrix(ctx, graph, id), bytes: await distributionSizes(ctx, graph), download: `${base}&format=csv`, parquet: `${base}&format=parquet`, picture: `/datasets/${id}/connectome.svg?version=${key}` };
  }
  if (has('dendritic-consortium')) {
    const parts = await new TableService(ctx).importedParts(ctx.iris.table(id, version ?? 'draft', 'dendritic-consortium'));
    const base = `/datasets/${id}/tables/dendritic-consortium`;
    facts.parts = parts.map((p) => ({ name: p.name, title: p.title, rows: p.rows,
      csv: p.csv && { url: `${base}/${encodeURIComponent(p.name)}?version=${key}&format=csv`, bytes: p.csv.bytes },
      parquet: p.parquet && { url: `${base}/${encodeURIComponent(p.name)}?version=${key}&format=parquet`, bytes: p.parquet.bytes } }));
  }
  try {
    facts.assets = (await new AssetService(ctx).list(id, caller, key)).assets;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err; // no assets for this version
  }
  for (const a of facts.assets.filter((x) => x.kind === 'SkeletonSWC').slice(0, MAX_SKELETONS)) {
    const picture = `/datasets/${id}/assets/${encodeURIComponent(a.name)}/projection.svg?version=${key}`;
    try {
      const s = await skeletonNodes(ctx, id, a.name, caller, key);
      facts.skeletons.push({ asset: a, picture, frame: skeletonFrame(s.nodes, { id: `skel-${facts.skeletons.length}`, name: a.name, unit: s.unit }) });
    } catch (err) {
      if (!(err instanceof TooLargeToDrawError)) throw err;
      facts.skeletons.push({ asset: a, picture, problem: err.message });
    }
  }
  return facts;
}

/**
 * For the dataset landing page (renderDataset in pages/dataset-page.ts): the citation box, the
 * tables section, the facts the page shows, and the script tag they need (put `script` into the head).
 */
export async function landingSections(ctx: ServiceContext, view: DatasetView, caller: Caller) {
  const { id } = view;
  const { version } = view.target;
  const doi = version !== undefined ? (await datasetDois(ctx.store, ctx.iris.concept(id))).versions[version] : undefined;
  const record = await view.citation();
  const href = `/datasets/${id}${version !== undefined ? `/versions/${version}` : ''}`;
  const facts = await landingFacts(ctx, view, caller, doi);
  return { citation: citationBox([record], href), tables: tablesSection(facts.tables), facts, script: '<script src="/static/app.js" defer></script>' };
}
