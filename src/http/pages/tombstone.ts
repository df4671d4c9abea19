/** The page of a withdrawn version (410 Gone). */
import { esc, page } from '../html.js';
import type { Tombstone } from '../../provenance/tombstone.js';

/** The tombstone page. */
export function tombstoneHtml(t: Tombstone, base: string): string {
  const link = (v: number) => `${base}/datasets/${t.id}/versions/${v}`;
  return page(`${t.title} (version ${t.version}, withdrawn)`, `<h1>${esc(t.title)}</h1>
<p role="alert"><strong>Version ${t.version} of this dataset has been withdrawn${t.withdrawn.at ? ` on ${esc(t.withdrawn.at.slice(0, 10))}` : ''}.</strong>
Its data are no longer offered; this page remains so that citations of it still resolve.</p>
<h2>Why it was withdrawn</h2>
<p class="reason">${esc(t.withdrawn.reason ?? 'No reason was recorded.')}</p>
<h2>How to cite this version</h2>
<p class="citation">${esc(t.citation)}</p>
<dl>
<dt>Authors</dt><dd>${t.authors.map(esc).join('; ')}</dd>
<dt>Year</dt><dd>${esc(t.year ?? 'n.d.')}</dd>
<dt>Title</dt><dd>${esc(t.title)}</dd>
<dt>Version</dt><dd>${t.version}</dd>
<dt>Publisher</dt><dd>${esc(t.publisher)}</dd>
${t.doi ? `<dt>DOI</dt><dd><a href="https://doi.org/${esc(t.doi)}">${esc(t.doi)}</a></dd>` : ''}
<dt>URL</dt><dd><code>${esc(t.url)}</code></dd>
</dl>
<h2>Other versions</h2>
${t.available.length ? `<ul>${t.available.map((v) => `<li><a href="${esc(link(v))}">version ${v}</a></li>`).join('')}</ul>` : '<p>No other version is available.</p>'}
<p><a href="${esc(`${base}/datasets/${t.id}/history`)}">History of every change</a></p>`,
  `<meta name="robots" content="noindex"><link rel="cite-as" href="${esc(t.doi ? `https://doi.org/${t.doi}` : t.url)}">`);
}
