/**
 * Provenance and versions over HTTP:
 *   GET  /datasets/{id}/history            every change, newest first (JSON, JSON-LD, Turtle, HTML)
 *   GET  /datasets/{id}/diff?from=1&to=2   fields changed in plain words + added/removed triples (JSON, HTML)
 *   GET  /datasets/{id}/lineage            transitive derivation chain (JSON-LD, Turtle, JSON, HTML with an SVG picture, SVG)
 *   POST /datasets/{id}/versions/{n}/withdraw   {"reason": "..."} (owner or curator)
 * and, in front of the dataset routes:
 *   GET  /datasets/{id}?version=n          the same as /datasets/{id}/versions/n (as-of access for every format)
 *   GET  /datasets/{id}/versions/{n}[/…]   410 Gone with a tombstone (citation + reason) when n is withdrawn
 *   Link: <…/history>; rel="http://www.w3.org/ns/prov#has_provenance" on dataset reads (PROV-AQ)
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import { callerOf } from './auth.js';
import { HttpError, sendProblem } from './problem.js';
import { negotiate, NotAcceptableError } from './negotiate.js';
import { page, esc } from './html.js';
import { serializeGraph } from '../publish/rdf-formats.js';
import { NotFoundError } from '../model/problems.js';
import { datasetHistory, historyQuads, activityQuadsFor, agentQuadsFor, type HistoryEntry } from '../provenance/history.js';
import { datasetLineage, lineageJsonLd, lineageQuads, type Lineage } from '../provenance/lineage.js';
import { lineageSvg } from './pages/lineage-svg.js';
import { diffGraphs, type GraphDiff } from '../provenance/diff.js';
import { listVersions, parseWithdrawalBody, sortedGraph, type VersionInfo } from '../provenance/versions.js';
import { withdrawVersion } from '../service/withdrawal.js';
import { tombstoneOf, tombstoneCitation } from '../provenance/tombstone.js';
import { tombstoneHtml } from './pages/tombstone.js';

const PROV_HAS_PROVENANCE = 'http://www.w3.org/ns/prov#has_provenance';
const TOMBSTONE_TYPES = ['application/problem+json', 'text/html', 'application/json', 'application/ld+json', 'text/turtle', 'application/n-triples', 'application/rdf+xml',
  'application/x-bibtex', 'application/x-research-info-systems', 'application/vnd.citationstyles.csl+json', 'text/x-bibliography'];

/** A version number from a path or query parameter; a specific 400/404 otherwise. */
function versionParam(value: unknown, name: string, status: 400 | 404 = 400): number {
  const s = Array.isArray(value) ? value[0] : value;
  if (typeof s !== 'string' || !/^[1-9]\d{0,8}$/.test(s)) {
    throw new HttpError(status, status === 404 ? 'Not Found' : 'Bad Request', `${name} must be a version number (1, 2, …); got ${JSON.stringify(s ?? null)}`, { parameter: name });
  }
  return Number(s);
}

/**
 * Add a Link header value when the headers are written, so that routers after this one that
 * *set* Link (signposting) do not drop it.
 */
function linkOnWrite(res: Response, value: string) {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
    const have = this.getHeader('Link');
    const list = have === undefined ? [] : Array.isArray(have) ? have.map(String) : [String(have)];
    if (!list.some((l) => l.includes(value))) this.setHeader('Link', [...list, value]);
    return writeHead.apply(this, args);
  } as Response['writeHead'];
}

export function provenanceRouter(ctx: ServiceContext): Router {
  const r = Router();
  const body = express.text({ type: () => true, limit: ctx.config.maxBody });

  // ---- in front of the dataset routes ---------------------------------------------------
  const tombstone = async (req: Request, res: Response, id: string, n: number) => {
    const t = await tombstoneOf(ctx, ctx.config.publisher, id, n);
    let type: string;
    try { type = negotiate(req, TOMBSTONE_TYPES); } catch (e) { if (e instanceof NotAcceptableError) type = 'application/problem+json'; else throw e; }
    res.vary('Accept');
    res.append('Link', `<${t.doi ? `https://doi.org/${t.doi}` : t.url}>; rel="cite-as"`);
    res.append('Link', `<${ctx.iris.concept(id)}/history>; rel="${PROV_HAS_PROVENANCE}"`);
    if (type === 'text/html') return res.status(410).type('html').send(tombstoneHtml(t, ctx.iris.base));
    const cite = tombstoneCitation(t, type);
    if (cite !== undefined) return res.status(410).type(type).send(cite);
    return sendProblem(res, 410, 'Gone', `version ${n} of dataset "${id}" was withdrawn${t.withdrawn.at ? ` on ${t.withdrawn.at.slice(0, 10)}` : ''}: ${t.withdrawn.reason ?? 'no reason recorded'}`, {
      dataset: id, version: n, iri: t.iri, withdrawn: t.withdrawn, citation: t.citation,
      cite: { title: t.title, authors: t.authors, year: t.year ?? null, version: String(n), publisher: t.publisher, doi: t.doi ?? null, url: t.url },
      availableVersions: t.available,
    });
  };

  r.get(['/datasets/:id/versions/:n', '/datasets/:id/versions/:n/*rest'], async (req: Request, res: Response, next: NextFunction) => {
    const id = String(req.params.id);
    const e = ctx.catalog.entries.get(id);
    const n = Number(req.params.n);
    if (!e || !ctx.catalog.canRead(e, callerOf(res)) || !Number.isInteger(n)) return next();
    if (e.withdrawn.has(n)) return tombstone(req, res, id, n);
    if (!(req.params as Record<string, unknown>).rest) linkOnWrite(res, `<${ctx.iris.concept(id)}/history>; rel="${PROV_HAS_PROVENANCE}"`);
    next();
  });

  // any export under the dataset that names a withdrawn version (?version=n): 410 with the tombstone
  r.get('/datasets/:id/*rest', async (req: Request, res: Response, next: NextFunction) => {
    const id = String(req.params.id);
    const e = ctx.catalog.entries.get(id);
    const v = typeof req.query.version === 'string' && /^[1-9]\d{0,8}$/.test(req.query.version) ? Number(req.query.version) : undefined;
    if (!e || v === undefined || !e.withdrawn.has(v) || !ctx.catalog.canRead(e, callerOf(res))) return next();
    return tombstone(req, res, id, v);
  });

  r.get('/datasets/:id', async (req: Request, res: Response, next: NextFunction) => {
    const id = String(req.params.id);
    const e = ctx.catalog.entries.get(id);
    if (!e || !ctx.catalog.canRead(e, callerOf(res))) return next();
    if (req.query.version !== undefined) {
      const n = versionParam(req.query.version, 'version');
      if (!e.versions.includes(n)) throw new NotFoundError(`dataset "${id}" has no version ${n}${e.versions.length ? `; versions: ${e.versions.join(', ')}` : ''}`);
      const q = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
      q.delete('version');
      const rest = q.toString();
      req.url = `/datasets/${id}/versions/${n}${rest ? `?${rest}` : ''}`;
      if (e.withdrawn.has(n)) return tombstone(req, res, id, n);
      linkOnWrite(res, `<${ctx.iris.concept(id)}/history>; rel="${PROV_HAS_PROVENANCE}"`);
      return next();
    }
    const caller = callerOf(res);
    if (ctx.catalog.latest(e) === undefined && e.versions.length && !(e.hasDraft && ctx.catalog.canWrite(e, caller))) {
      return tombstone(req, res, id, e.versions.at(-1)!);
    }
    linkOnWrite(res, `<${ctx.iris.concept(id)}/history>; rel="${PROV_HAS_PROVENANCE}"`);
    next();
  });

  // ---- withdrawal ----------------------------------------------------------------------------
  r.post('/datasets/:id/versions/:n/withdraw', body, async (req, res) => {
    const n = versionParam(req.params.n, 'version', 404);
    const caller = callerOf(res);
    const id = String(req.params.id);
    const e = ctx.datasets.entry(id, caller);
    ctx.datasets.requireWrite(e, caller);
    const text = typeof req.body === 'string' ? req.body : '';
    const reason = parseWithdrawalBody(text, req.headers['content-type']);
    const result = await withdrawVersion(ctx, id, n, reason, caller, { body: text, mediaType: (req.headers['content-type'] ?? 'text/plain').split(';')[0].trim() });
    res.status(200).json({ ...result, reason, tombstone: `${ctx.iris.concept(id)}/versions/${n}` });
  });

  // ---- history -------------------------------------------------------------------------------
  r.get('/datasets/:id/history', async (req, res) => {
    const id = String(req.params.id);
    const caller = callerOf(res);
    const type = negotiate(req, ['application/json', 'application/ld+json', 'text/turtle', 'application/n-triples', 'text/html']);
    res.vary('Accept');
    if (type === 'application/ld+json' || type === 'text/turtle' || type === 'application/n-triples') {
      return res.type(type).send(await serializeGraph(await historyQuads(ctx, id, caller), type));
    }
    const [entries, versions] = await Promise.all([datasetHistory(ctx, id, caller), listVersions(ctx, id, caller)]);
    const e = ctx.datasets.entry(id, caller);
    if (type === 'text/html') return res.type('html').send(historyHtml(ctx, id, e.title, entries, versions, e.hasDraft && ctx.catalog.canWrite(e, caller)));
    res.json({ id, iri: ctx.iris.concept(id), latestVersion: ctx.catalog.latest(e) ?? null, versions, changes: entries });
  });

  // ---- one activity (dereferenceable PROV record, e.g. the prov:wasGeneratedBy of a version) ----
  r.get('/activities/:uuid', async (req, res) => {
    const uuid = String(req.params.uuid);
    if (!/^[0-9a-f-]{8,64}$/i.test(uuid)) throw new HttpError(404, 'Not Found', `"${uuid}" is not an activity id`);
    const A = ctx.iris.activity(uuid);
    const quads = await activityQuadsFor(ctx, A, callerOf(res));
    if (!quads) throw new NotFoundError(`no activity ${uuid}`);
    const type = negotiate(req, ['application/ld+json', 'text/turtle', 'application/n-triples', 'text/html']);
    res.vary('Accept');
    if (type !== 'text/html') return res.type(type).send(await serializeGraph(quads, type));
    const about = quads.filter((q) => q.subject.value === A);
    const rows = about.map((q) => `<tr><td>${esc(q.predicate.value.replace(/^.*[#/]/, ''))}</td><td>${q.object.termType === 'NamedNode' ? `<a href="${esc(q.object.value)}">${esc(q.object.value)}</a>` : esc(q.object.value)}</td></tr>`).join('');
    res.type('html').send(page(`Activity ${uuid}`, `<h1>${esc(about.find((q) => q.predicate.value.endsWith('#label'))?.object.value ?? `Activity ${uuid}`)}</h1>
<table><tbody>${rows}</tbody></table><p>Also as <a href="?format=jsonld">JSON-LD</a>, <a href="?format=ttl">Turtle</a>.</p>`));
  });

  // ---- one agent (the prov:wasAssociatedWith of an activity: who made a change) ----------------
  r.get('/users/:name', async (req, res) => {
    const name = String(req.params.name);
    if (!/^[A-Za-z0-9._@+-]{1,128}$/.test(name)) throw new HttpError(404, 'Not Found', `"${name}" is not an account name`);
    const A = ctx.iris.agent(name);
    const quads = await agentQuadsFor(ctx, A, callerOf(res));
    if (!quads) throw new NotFoundError(`no account "${name}" made a change you may see`);
    const type = negotiate(req, ['text/turtle', 'application/ld+json', 'application/n-triples', 'text/html']);
    res.vary('Accept');
    if (type !== 'text/html') return res.type(type).send(await serializeGraph(quads, type));
    res.type('html').send(page(`Account ${name}`, `<h1>Account ${esc(name)}</h1><p>An account of this service (prov:Agent) that made changes to datasets; see their histories.</p>
<p>Also as <a href="?format=ttl">Turtle</a>, <a href="?format=jsonld">JSON-LD</a>.</p>`));
  });

  // ---- diff ------------------------------------------------------------------------------------
  r.get('/datasets/:id/diff', async (req, res) => {
    const id = String(req.params.id);
    const caller = callerOf(res);
    const e = ctx.datasets.visibleEntry(id, caller);
    const side = (v: unknown, name: string): number | 'draft' => {
      if (v === 'draft') {
        if (!(e.hasDraft && ctx.catalog.canWrite(e, caller))) throw new NotFoundError(`dataset "${id}" has no draft you may see`);
        return 'draft';
      }
      const n = versionParam(v, name);
      if (!e.versions.includes(n)) throw new NotFoundError(`dataset "${id}" has no version ${n} (${name}); versions: ${e.versions.join(', ') || 'none'}`);
      return n;
    };
    const latest = e.versions.at(-1);
    const to = req.query.to !== undefined ? side(req.query.to, 'to') : latest;
    if (to === undefined) throw new NotFoundError(`dataset "${id}" has no published version to compare`);
    let from: number | 'draft' | undefined;
    if (req.query.from !== undefined) from = side(req.query.from, 'from');
    else from = to === 'draft' ? latest : e.versions.filter((v) => v < to).at(-1);
    if (from === undefined) throw new HttpError(400, 'Bad Request', `version ${to} of "${id}" is the first one; name the other side with ?from=`, { parameter: 'from' });
    const graphOf = (s: number | 'draft') => (s === 'draft' ? ctx.iris.draft(id) : ctx.iris.version(id, s));
    const [a, b] = await Promise.all([sortedGraph(ctx.store, graphOf(from)), sortedGraph(ctx.store, graphOf(to))]);
    const d = diffGraphs({ subject: graphOf(from), quads: a }, { subject: graphOf(to), quads: b });
    const type = negotiate(req, ['application/json', 'text/html']);
    res.vary('Accept');
    const out = { id, from: { version: from, iri: graphOf(from) }, to: { version: to, iri: graphOf(to) }, ...d };
    if (type === 'text/html') return res.type('html').send(diffHtml(id, e.title, from, to, d));
    res.json(out);
  });

  // ---- lineage -------------------------------------------------------------------------------
  r.get('/datasets/:id/lineage', async (req, res) => {
    const id = String(req.params.id);
    const caller = callerOf(res);
    const version = req.query.version !== undefined ? versionParam(req.query.version, 'version') : undefined;
    const e = ctx.datasets.visibleEntry(id, caller);
    if (version !== undefined && e.withdrawn.has(version)) {
      throw new HttpError(410, 'Gone', `version ${version} of dataset "${id}" was withdrawn; see ${ctx.iris.version(id, version)}`);
    }
    const l = await datasetLineage(ctx, id, caller, version);
    const type = negotiate(req, ['application/ld+json', 'application/json', 'text/turtle', 'application/n-triples', 'text/html', 'image/svg+xml']);
    res.vary('Accept');
    if (type === 'application/ld+json') return res.type('application/ld+json').send(JSON.stringify(lineageJsonLd(ctx, l), null, 2));
    if (type === 'text/turtle' || type === 'application/n-triples') return res.type(type).send(await serializeGraph(lineageQuads(ctx, l), type));
    if (type === 'image/svg+xml') return res.type('image/svg+xml').send(lineageSvg(l));
    if (type === 'text/html') return res.type('html').send(lineageHtml(id, l));
    res.json(l);
  });

  return r;
}

// ---------------------------------------------------------------------------------------------
// pages
// ---------------------------------------------------------------------------------------------

const shortSha = (s?: string) => (s ? `<code title="sha256:${esc(s)}">sha256:${esc(s.slice(0, 12))}…</code>` : '');

function historyHtml(ctx: ServiceContext, id: string, title: string, entries: HistoryEntry[], versions: VersionInfo[], draft: boolean): string {
  const opts = [...versions.map((v) => `<option value="${v.version}">version ${v.version}${v.withdrawn ? ' (withdrawn)' : ''}</option>`), ...(draft ? ['<option value="draft">draft</option>'] : [])];
  const rows = entries.map((e) => `<tr><td><time datetime="${esc(e.startedAt)}">${esc(e.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time></td>
<td>${esc(e.agent.name)}</td><td>${esc(e.kind)}</td><td>${esc(e.summary)}
${e.used.length ? `<br><small>used: ${e.used.map((u) => `${esc(u.label ?? u.iri)} ${shortSha(u.sha256)}${u.byteSize !== undefined ? ` (${u.byteSize} bytes)` : ''}`).join('; ')}</small>` : ''}
${e.generated.length ? `<br><small>generated: ${e.generated.map((g) => `<a href="${esc(g)}">${esc(g.slice(ctx.iris.base.length))}</a>`).join(', ')}</small>` : ''}
${e.invalidated.length ? `<br><small>invalidated: ${e.invalidated.map((g) => `<a href="${esc(g)}">${esc(g.slice(ctx.iris.base.length))}</a>`).join(', ')}</small>` : ''}</td></tr>`).join('\n');
  const vrows = versions.map((v) => `<li><a href="${esc(v.iri)}">version ${v.version}</a>${v.issued ? `, released ${esc(v.issued.slice(0, 10))}` : ''}${v.notes ? `: ${esc(v.notes)}` : ''}${v.withdrawn ? ` <strong>withdrawn${v.withdrawn.at ? ` ${esc(v.withdrawn.at.slice(0, 10))}` : ''}</strong>${v.withdrawn.reason ? ` (${esc(v.withdrawn.reason)})` : ''}` : ''}</li>`).join('');
  return page(`History of ${title}`, `<h1>History of <a href="/datasets/${esc(id)}">${esc(title)}</a></h1>
<h2>Versions</h2>${vrows ? `<ul>${vrows}</ul>` : '<p>No version has been published yet.</p>'}
${opts.length >= 2 ? `<form action="/datasets/${esc(id)}/diff" method="get"><label>Compare <select name="from">${opts.join('')}</select></label>
<label> with <select name="to">${[...opts].reverse().join('')}</select></label> <button>Show differences</button></form>` : ''}
<h2>Every change, newest first</h2>
<table><thead><tr><th>When (UTC)</th><th>Who</th><th>Kind</th><th>What</th></tr></thead><tbody>
${rows}
</tbody></table>
<p>Also as <a href="?format=jsonld">JSON-LD (PROV-O)</a>, <a href="?format=ttl">Turtle</a>, <a href="?format=json">JSON</a>. <a href="/datasets/${esc(id)}/lineage">Lineage</a></p>`,
  `<link rel="alternate" type="application/ld+json" href="?format=jsonld">`);
}

function diffHtml(id: string, title: string, from: number | 'draft', to: number | 'draft', d: GraphDiff): string {
  const name = (s: number | 'draft') => (s === 'draft' ? 'the draft' : `version ${s}`);
  return page(`Changes in ${title}`, `<h1>${esc(title)}: ${esc(name(from))} → ${esc(name(to))}</h1>
<h2>What changed</h2>
${d.changes.length ? `<ul>${d.changes.map((c) => `<li>${esc(c.text)}</li>`).join('')}</ul>` : '<p>No field changed.</p>'}
<h2>Triples added (${d.added.length})</h2>${d.added.length ? `<pre class="added">${d.added.map(esc).join('\n')}</pre>` : '<p>None.</p>'}
<h2>Triples removed (${d.removed.length})</h2>${d.removed.length ? `<pre class="removed">${d.removed.map(esc).join('\n')}</pre>` : '<p>None.</p>'}
<p><a href="/datasets/${esc(id)}/history">History</a> · <a href="?from=${esc(String(from))}&amp;to=${esc(String(to))}&amp;format=json">JSON</a></p>`);
}

function lineageHtml(id: string, l: Lineage): string {
  const root = l.nodes.find((n) => n.iri === l.root);
  const byIri = new Map(l.nodes.map((n) => [n.iri, n]));
  const seen = new Set<string>();
  const tree = (iri: string, depth: number): string => {
    const out = l.edges.filter((e) => e.from === iri);
    if (!out.length || depth > 12) return '';
    return `<ul>${out.map((e) => {
      const n = byIri.get(e.to)!;
      const again = seen.has(e.to);
      seen.add(e.to);
      const facts = Object.entries(n.details).map(([k, v]) => `${k}: ${v}`).join(', ');
      return `<li>${esc(e.relation)}: <a href="${esc(n.iri)}">${esc(n.label)}</a>${facts ? ` <small>(${esc(facts)})</small>` : ''}${again ? ' <small>(see above)</small>' : tree(e.to, depth + 1)}</li>`;
    }).join('')}</ul>`;
  };
  return page(`Lineage of ${root?.label ?? id}`, `<h1>Lineage of <a href="/datasets/${esc(id)}">${esc(root?.label ?? id)}</a></h1>
<p>What this dataset was derived from, step by step back to its sources (solid arrows: derived from; dashed: method paper).</p>
<figure style="overflow:auto;margin:0">${lineageSvg(l)}</figure>
<h2>As a list</h2>
<p><a href="${esc(l.root)}">${esc(root?.label ?? l.root)}</a></p>${tree(l.root, 0) || '<p>No sources are recorded.</p>'}
<p>Also as <a href="?format=jsonld">JSON-LD</a>, <a href="?format=ttl">Turtle</a>, <a href="?format=json">JSON</a>. <a href="/datasets/${esc(id)}/history">History</a></p>`,
  `<link rel="alternate" type="application/ld+json" href="?format=jsonld">`);
}
