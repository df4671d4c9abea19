/**
 * The dataset landing page: what a researcher checks before trusting a dataset, at a glance
 * (title, creators, DOI and licence badges, date published, size, rows), then the science (species,
 * region, method, publications by title), the data (tables, the connectome heatmap, CAVE source
 * tables, skeleton projections), versions, the citation box and the metadata formats.
 * Rows and sections without a value are left out.
 */
import { esc, page } from '../html.js';
import { NS, compactIri } from '../../model/namespaces.js';
import { LICENSES } from '../../model/vocabulary-curated.js';
import type { Vocabulary } from '../../model/vocabulary.js';
import type { Quad } from '../../util/rdf.js';
import type { ServiceContext } from '../../service/context.js';
import { termLink, bytesText, type LandingFacts } from './dataset-parts.js';
import { heatmapFrame, reduceMatrix } from '../pictures/heatmap-svg.js';
import { svgImage } from '../pictures/svg-frame.js';
import { metadataLinks } from './format-names.js';

export interface LandingExtras { citation: string; tables: string; facts: LandingFacts; vocab: Vocabulary; versions: number[] }

const dateText = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
};

/** A two-part badge: a label ("DOI") and its value, the value a link when there is one. */
const badge = (kind: string, label: string, value: string, href?: string) =>
  `<li class="badge badge-${kind}"><span class="badge-k">${esc(label)}</span>${href ? `<a class="badge-v" href="${esc(href)}">${esc(value)}</a>` : `<span class="badge-v">${esc(value)}</span>`}</li>`;

export function licenceName(iri: string): { short: string; name: string; href: string } {
  const id = iri.startsWith(NS.spdx) ? iri.slice(NS.spdx.length) : undefined;
  const l = id ? LICENSES.find((x) => x.id === id) : undefined;
  return l ? { short: l.short, name: l.name, href: `https://spdx.org/licenses/${l.id}.html` } : { short: compactIri(iri), name: compactIri(iri), href: iri };
}

export function renderDataset(ctx: ServiceContext, id: string, subject: string, quads: Quad[], version?: number, fair?: { head: string; alternates: string }, extra?: LandingExtras): string {
  const values = (p: string, s = subject) => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value);
  const one = (p: string, s = subject) => values(p, s)[0] ?? '';
  const name = (iri: string) => one(`${NS.schema}name`, iri) || compactIri(iri);
  const creators = values(`${NS.prov}qualifiedAttribution`).map((a) => ({ pos: Number(one(`${NS.schema}position`, a) || 0), agent: one(`${NS.prov}agent`, a) }))
    .sort((a, b) => a.pos - b.pos).map((c) => c.agent).filter(Boolean);
  const term = (facet: string) => (iri: string) => (extra ? termLink(extra.vocab, iri, facet) : `<a href="${esc(iri)}">${esc(compactIri(iri))}</a>`);
  const title = one(`${NS.dcterms}title`) || id;
  const f = extra?.facts;
  const iri = version !== undefined ? ctx.iris.version(id, version) : ctx.iris.concept(id);

  // at a glance: badges and the summary card
  const licences = values(`${NS.dcterms}license`).map(licenceName);
  const badges = [
    f?.doi ? badge('doi', 'DOI', f.doi, `https://doi.org/${f.doi}`) : '',
    ...licences.map((l) => badge('licence', 'Licence', l.short, l.href)),
    badge('version', version !== undefined ? 'Version' : 'Status', version !== undefined ? String(version) : 'draft, not published'),
    one(`${NS.dcterms}accessRights`).endsWith('PUBLIC') ? badge('access', 'Access', 'open') : '',
  ].join('');
  const hosted = [
    ...(f?.tables ?? []).map((t) => ({ rows: t.rows, bytes: t.bytes.csv ?? 0 })),
    ...(f?.connectome ? [{ rows: f.connectome.matrix.cells, bytes: f.connectome.bytes.csv ?? 0 }] : []),
    ...(f?.parts ?? []).map((p) => ({ rows: p.rows, bytes: p.csv?.bytes ?? 0 })),
  ];
  const assetBytes = (f?.assets ?? []).reduce((a, x) => a + x.bytes, 0);
  const size = hosted.reduce((a, x) => a + x.bytes, 0) + assetBytes;
  const rows = hosted.reduce((a, x) => a + x.rows, 0);
  const fileCount = (f?.tables.length ?? 0) + (f?.connectome ? 1 : 0) + (f?.parts.length ?? 0) + (f?.assets.length ?? 0);
  const sources = values(`${NS.syndb}sourceTable`);
  const sourceRows = sources.map((s) => one(`${NS.syndb}rowCount`, s)).filter(Boolean).reduce((a, x) => a + Number(x), 0);
  const card = [
    f?.issued ? `<dt>Published</dt><dd><time datetime="${esc(f.issued)}">${esc(dateText(f.issued))}</time></dd>` : '',
    fileCount ? `<dt>Size</dt><dd>${esc(bytesText(size))} <small class="muted">in ${fileCount} file${fileCount === 1 ? '' : 's'}</small></dd>` : `<dt>Files</dt><dd>none hosted here; the record describes data held elsewhere</dd>`,
    rows ? `<dt>Rows</dt><dd>${rows.toLocaleString('en')}</dd>` : '',
    sources.length ? `<dt>Source tables</dt><dd>${sources.length}${sourceRows ? ` <small class="muted">(${sourceRows.toLocaleString('en')} rows stated)</small>` : ''}</dd>` : '',
    licences.length ? `<dt>Licence</dt><dd>${licences.map((l) => `<a href="${esc(l.href)}">${esc(l.name)}</a>`).join('<br>')}</dd>` : '',
  ].join('');

  // the science
  const fact = (label: string, items: string[], sep = ', ') => (items.length ? `<dt>${esc(label)}</dt><dd>${items.join(sep)}</dd>` : '');
  const facts = [
    fact('Species', values(`${NS.syndb}species`).map(term('species'))),
    fact('Brain region', values(`${NS.syndb}brainRegion`).map(term('region'))),
    fact('Microscopy', values(`${NS.syndb}microscopyMethod`).map(term('method'))),
    fact('Compartments', values(`${NS.syndb}compartment`).map((c) => esc(c.split('/').pop()))),
    fact('Keywords', values(`${NS.dcat}keyword`).sort().map((k) => `<span class="kw">${esc(k)}</span>`), ' '),
    fact('Identifier', [`<code>${esc(subject)}</code>`]),
  ].join('');
  const pubs = [...values(`${NS.dcterms}isReferencedBy`).map((p) => ({ p, rel: 'Article this dataset supplements' })), ...values(`${NS.dcterms}references`).map((p) => ({ p, rel: 'Referenced (methods)' }))];
  const pubItem = ({ p, rel }: { p: string; rel: string }) => {
    const t = one(`${NS.dcterms}title`, p), year = one(`${NS.schema}datePublished`, p).slice(0, 4), doi = one(`${NS.dcterms}identifier`, p) || p.replace(/^https?:\/\/doi\.org\//, '');
    return `<li><a href="${esc(p)}">${esc(t || doi)}</a>${year ? ` <span class="muted">(${esc(year)})</span>` : ''}<br><small>${esc(rel)} · doi:${esc(doi)}</small></li>`;
  };
  const publications = pubs.length ? `<section aria-labelledby="pubs-h"><h2 id="pubs-h">Publications</h2><ul class="plain">${pubs.map(pubItem).join('')}</ul></section>` : '';

  // the data
  const connectome = f?.connectome && f.connectome.matrix.rows.length ? (() => {
    const c = f.connectome!;
    const m = reduceMatrix(c.matrix);
    const frame = heatmapFrame(c.matrix, { id: 'connectome', title: `Connectome of ${title}` });
    return `<section aria-labelledby="connectome-h"><h2 id="connectome-h">Connectome</h2>
<figure class="picture">${svgImage(frame)}<figcaption>Synapse counts from ${c.matrix.rows.length} presynaptic classes (rows, “${esc(c.matrix.rowLabel)}”) onto ${c.matrix.columns.length} postsynaptic target types (columns); darker cells have more synapses.${c.matrix.truncated ? ' Only the first cells of a very large matrix are drawn.' : ''}${c.matrix.source ? ` Imported from: ${esc(c.matrix.source)}.` : ''}
<br><small>Download: <a href="${esc(c.download)}">CSV</a>${c.bytes.csv !== undefined ? ` (${esc(bytesText(c.bytes.csv))})` : ''} · <a href="${esc(c.parquet)}">Parquet</a> · <a href="${esc(c.picture)}">picture (SVG)</a></small></figcaption></figure>
<details><summary>The matrix as a table</summary><div class="scroll"><table><caption class="muted">Synapses from each ${esc(c.matrix.rowLabel)} (row) to each target type (column)</caption><thead><tr><th scope="col">${esc(m.rowLabel)}</th>${m.columns.map((x) => `<th scope="col">${esc(x)}</th>`).join('')}</tr></thead>
<tbody>${m.rows.map((r, i) => `<tr><th scope="row">${esc(r)}</th>${m.counts[i].map((v) => `<td class="num">${v === undefined ? '' : v.toLocaleString('en')}</td>`).join('')}</tr>`).join('')}</tbody></table></div></details></section>`;
  })() : '';
  const sourceTables = sources.length ? `<section aria-labelledby="sources-h"><h2 id="sources-h">Source tables</h2>
<p class="muted">The ${[...new Set(sources.map((s) => one(`${NS.syndb}sourceSystem`, s)).filter(Boolean))].join(', ') || 'external'} tables this dataset describes; they are held by their source system, not copied here.</p>
<div class="scroll"><table class="files"><thead><tr><th scope="col">Table</th><th scope="col">System</th><th scope="col">Materialization</th><th scope="col" class="num">Rows</th></tr></thead><tbody>
${sources.sort((a, b) => one(`${NS.schema}name`, a).localeCompare(one(`${NS.schema}name`, b))).map((s) => {
    const rc = one(`${NS.syndb}rowCount`, s), ts = one(`${NS.syndb}materializationTimestamp`, s), mv = one(`${NS.syndb}materializationVersion`, s), rep = one(`${NS.dcterms}isReplacedBy`, s);
    return `<tr data-source-table="${esc(name(s))}"><th scope="row"><code>${esc(name(s))}</code>${rep ? ` <small class="warn">deprecated: use <code>${esc(rep)}</code></small>` : ''}${one(`${NS.dcterms}description`, s) ? `<br><small class="muted">${esc(one(`${NS.dcterms}description`, s))}</small>` : ''}</th>
<td>${esc(one(`${NS.syndb}sourceSystem`, s))}</td><td>${mv ? `version ${esc(mv)}` : ''}${ts ? `<br><small><time datetime="${esc(ts)}">${esc(ts.slice(0, 10))}</time></small>` : ''}</td><td class="num">${rc ? Number(rc).toLocaleString('en') : '<span class="muted">not stated</span>'}</td></tr>`;
  }).join('\n')}</tbody></table></div></section>` : '';
  const parts = f?.parts.length ? `<section aria-labelledby="parts-h"><h2 id="parts-h">Tables</h2><div class="scroll"><table class="files"><thead><tr><th scope="col">Table</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Size (CSV)</th><th scope="col">Download</th></tr></thead><tbody>
${f.parts.map((p) => `<tr><th scope="row">${esc(p.title ?? p.name)}${p.title ? ` <small class="muted">(${esc(p.name)})</small>` : ''}</th><td class="num">${p.rows.toLocaleString('en')}</td><td class="num">${esc(bytesText(p.csv?.bytes))}</td><td>${[p.csv ? `<a href="${esc(p.csv.url)}" aria-label="Download CSV of ${esc(p.name)}">CSV</a>` : '', p.parquet ? `<a href="${esc(p.parquet.url)}" aria-label="Download Parquet of ${esc(p.name)}">Parquet</a>` : ''].filter(Boolean).join(' · ')}</td></tr>`).join('\n')}</tbody></table></div></section>` : '';
  const skeletons = f?.skeletons.length ? `<section aria-labelledby="skel-h"><h2 id="skel-h">Skeletons</h2>${f.skeletons.map((s) => {
    const k = s.asset.skeleton;
    const href = `${s.asset.downloadURL}${version === undefined ? '?version=draft' : ''}`;
    return `<figure class="picture">${s.frame ? svgImage(s.frame) : `<p class="muted">${esc(s.problem ?? '')}</p>`}<figcaption><strong>${esc(s.asset.name)}</strong>${k ? `: ${k.nodeCount.toLocaleString('en')} nodes, ${k.branchPointCount.toLocaleString('en')} branch points, ${(k.cableLengthNm / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} µm of cable${k.hasSoma ? ', with soma' : ''}` : ''}${'row' in s.asset.attachedTo ? ` · attached to ${esc(s.asset.attachedTo.compartment)} ${esc(s.asset.attachedTo.cid)}` : ''}
<br><small>Download: <a href="${esc(href)}">SWC</a> (${esc(bytesText(s.asset.bytes))}) · <a href="${esc(s.picture)}">picture (SVG)</a></small></figcaption></figure>`;
  }).join('')}${(f.assets.length > f.skeletons.length) ? `<p><a href="/datasets/${esc(id)}/assets${version === undefined ? '?version=draft' : `?version=${version}`}">All ${f.assets.length} files (meshes and skeletons)</a></p>` : ''}</section>` : '';
  const notes = one(`${NS.skos}note`);

  const body = `<p class="kicker">Dataset${f?.issued ? ` · published <time datetime="${esc(f.issued)}">${esc(dateText(f.issued))}</time>` : ''}</p>
<h1>${esc(title)}</h1>
${creators.length ? `<p class="creators">${creators.map((c) => esc(name(c))).join('; ')}</p>` : ''}
<ul class="badges trust" aria-label="Identifier, licence and version">${badges}</ul>
<div class="landing"><div class="landing-main">
<p class="description">${esc(one(`${NS.dcterms}description`))}</p>
<section aria-labelledby="about-h"><h2 id="about-h">About the data</h2><dl>${facts}</dl></section>
${publications}
${extra?.tables ?? ''}${parts}${connectome}${sourceTables}${skeletons}
${notes ? `<details class="notes"><summary>Notes on this record</summary><p>${esc(notes)}</p></details>` : ''}
</div>
<aside class="landing-side" aria-label="Summary"><div class="card"><h2 class="card-h">At a glance</h2><dl class="stack">${card}</dl></div>
${extra ? `<div class="card"><h2 class="card-h">Versions</h2><p>${extra.versions.map((v) => (v === version ? `<strong>version ${v}</strong>` : `<a href="/datasets/${esc(id)}/versions/${v}">version ${v}</a>`)).join(' · ') || 'not published yet'}</p><p><a href="/datasets/${esc(id)}/history">History</a> · <a href="/datasets/${esc(id)}/lineage">Lineage</a></p></div>` : ''}
<div class="card"><h2 class="card-h">Metadata</h2><p>${fair?.alternates ?? metadataLinks(iri, ['application/ld+json', 'text/turtle', 'application/n-triples', 'application/rdf+xml'])}</p></div></aside></div>
${extra?.citation ?? ''}`;
  return page(title, body, fair?.head ?? '');
}
