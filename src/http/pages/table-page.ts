/**
 * The page of one compartment table (HTML at the table's own URL, for browsers): how many rows,
 * what size, where to download it, and each column with its description, unit, statistics and,
 * for numeric columns, a histogram (from the table files' column statistics, like /stats).
 */
import { esc, page } from '../html.js';
import { unitSymbol } from './unit-symbols.js';
import type { ColumnStats } from '../../store/tables/table-files.js';
import { histogramFrame, hasHistogram } from '../pictures/histogram-svg.js';
import { short, svgImage } from '../pictures/svg-frame.js';
import { bytesText } from './dataset-parts.js';

/** At most this many histograms on one table page (the /stats endpoint has every column). */
export const MAX_HISTOGRAMS = 40;

export interface TablePage {
  dataset: { id: string; title: string };
  slug: string;
  version: number | 'draft';
  rows: number;
  modified?: string;
  sha256?: string;
  bytes: { csv?: number; parquet?: number };
  columns: Array<{ name: string; description?: string; unit?: string; datatype?: string }>;
  stats: ColumnStats[];
}

const v = (x: unknown) => (typeof x === 'number' ? short(x) : x === undefined || x === null ? '' : String(x));

export function renderTablePage(t: TablePage): string {
  const key = t.version === 'draft' ? 'draft' : String(t.version);
  const base = `/datasets/${t.dataset.id}/tables/${t.slug}?version=${key}`;
  const statOf = (name: string) => t.stats.find((s) => s.name === name);
  const unitOf = (name: string) => unitSymbol(t.columns.find((c) => c.name === name)?.unit) || undefined;
  const numeric = t.stats.filter(hasHistogram).slice(0, MAX_HISTOGRAMS);
  const rowsHtml = t.columns.map((c) => {
    const s = statOf(c.name);
    return `<tr><th scope="row"><code>${esc(c.name)}</code></th><td>${esc(c.description ?? '')}</td><td>${esc(unitOf(c.name) ?? '')}</td><td>${esc(s?.type.toLowerCase() ?? '')}</td>
<td class="num">${s ? s.nulls.toLocaleString('en') : ''}</td><td class="num">${esc(typeof s?.min === 'number' ? v(s.min) : '')}</td><td class="num">${esc(typeof s?.max === 'number' ? v(s.max) : '')}</td><td class="num">${esc(s?.mean !== undefined ? short(s.mean) : s?.distinct !== undefined ? `${s.distinct.toLocaleString('en')} distinct` : '')}</td></tr>`;
  }).join('\n');
  const body = `<p class="kicker"><a href="/datasets/${esc(t.dataset.id)}${t.version === 'draft' ? '' : `/versions/${t.version}`}">${esc(t.dataset.title)}</a> · ${t.version === 'draft' ? 'draft' : `version ${t.version}`} · table</p>
<h1>${esc(t.slug)} table</h1>
<ul class="stats" aria-label="Table summary"><li><strong>${t.rows.toLocaleString('en')}</strong> rows</li><li><strong>${t.columns.length}</strong> columns</li>${t.bytes.csv !== undefined ? `<li><strong>${esc(bytesText(t.bytes.csv))}</strong> as CSV</li>` : ''}${t.bytes.parquet !== undefined ? `<li><strong>${esc(bytesText(t.bytes.parquet))}</strong> as Parquet</li>` : ''}</ul>
<p><a class="button" href="${esc(`${base}&format=csv`)}">Download CSV</a> <a href="${esc(`${base}&format=parquet`)}">Parquet</a> · <a href="${esc(`${base}&format=csvw`)}">CSVW metadata</a> · <a href="${esc(`/datasets/${t.dataset.id}/tables/${t.slug}/stats?version=${key}`)}">statistics (JSON)</a></p>
${t.sha256 || t.modified ? `<p><small class="muted">${t.modified ? `Stored <time datetime="${esc(t.modified)}">${esc(t.modified.slice(0, 10))}</time>` : ''}${t.sha256 ? ` · CSV SHA-256 <code class="wrap">${esc(t.sha256)}</code>` : ''}</small></p>` : ''}
${numeric.length ? `<section aria-labelledby="dist-h"><h2 id="dist-h">Distributions</h2><p class="muted">Each numeric column in ten equal-width bins from its minimum to its maximum.</p><div class="pictures">${numeric.map((s, i) => `<figure data-histogram="${esc(s.name)}">${svgImage(histogramFrame(s, { id: `hist-${i}`, unit: unitOf(s.name) }))}<figcaption><small><a href="${esc(`/datasets/${t.dataset.id}/tables/${t.slug}/columns/${encodeURIComponent(s.name)}/histogram.svg?version=${key}`)}" aria-label="Histogram of ${esc(s.name)} as SVG">SVG</a></small></figcaption></figure>`).join('')}</div></section>` : ''}
<section aria-labelledby="cols-h"><h2 id="cols-h">Columns</h2><div class="scroll"><table class="files"><thead><tr><th scope="col">Column</th><th scope="col">Description</th><th scope="col">Unit</th><th scope="col">Type</th><th scope="col" class="num">Empty</th><th scope="col" class="num">Min</th><th scope="col" class="num">Max</th><th scope="col" class="num">Mean or distinct</th></tr></thead>
<tbody>${rowsHtml}</tbody></table></div></section>`;
  return page(`${t.slug} table of ${t.dataset.title}`, body);
}
