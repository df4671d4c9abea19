/**
 * Pieces of the dataset landing page: citation box (format choice, copy button, downloads),
 * ontology term links, compartment tables (columns with descriptions, row counts, downloads).
 * Used by the dataset page (renderDataset in datasets-router.ts) and the citation page (/datasets/{id}/cite).
 */
import { esc } from '../html.js';
import { compactIri } from '../../model/namespaces.js';
import type { Vocabulary } from '../../model/vocabulary.js';
import { renderCitation, type CitationRecord } from '../../publish/citation/index.js';
import type { DatasetView, TableInfo } from '../../service/dataset-view.js';

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

/** Compartment tables with their columns (descriptions, units), row counts and download links. */
export function tablesSection(tables: TableInfo[]): string {
  if (!tables.length) return '<section aria-labelledby="tables-h"><h2 id="tables-h">Tables</h2><p>No compartment tables have been uploaded for this version.</p></section>';
  return `<section aria-labelledby="tables-h"><h2 id="tables-h">Tables</h2>${tables.map((t) => `<div data-table="${esc(t.slug)}"><h3>${esc(t.slug)}</h3>
<p>${t.rows.toLocaleString('en')} rows · ${t.columns.length} columns · <a href="${esc(t.download)}">Download CSV</a> · <a href="${esc(t.csvw)}">CSVW metadata</a></p>
<details><summary>Columns of the ${esc(t.slug)} table</summary><div class="scroll"><table><thead><tr><th scope="col">Column</th><th scope="col">Description</th><th scope="col">Unit</th></tr></thead><tbody>${t.columns.map((c) => `<tr><td><code>${esc(c.name)}</code></td><td>${esc(c.description ?? '')}</td><td>${esc(c.unit ? compactIri(c.unit) : '')}</td></tr>`).join('')}</tbody></table></div></details></div>`).join('')}</section>`;
}

/**
 * For the dataset landing page (renderDataset in datasets-router.ts) and the citation page: the
 * citation box and the tables section of a dataset view, plus the script tag they need (put
 * `script` into the page head).
 */
export async function landingSections(view: DatasetView) {
  const v = view.target.version;
  const href = `/datasets/${view.id}${v !== undefined ? `/versions/${v}` : ''}`;
  return { citation: citationBox([await view.citation()], href), tables: tablesSection(await view.tables()), script: '<script src="/static/app.js" defer></script>' };
}
