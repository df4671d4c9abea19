/**
 * A local stand-in for the DataCite REST API (https://api.test.datacite.org), for tests: DataCite
 * cannot be reached from the test machines, and a test must be able to make it fail. It implements
 * the documented part for DOIs (https://support.datacite.org/docs/api-create-dois,
 * https://support.datacite.org/docs/doi-states, https://support.datacite.org/reference/post_dois)
 * strictly, and refuses what DataCite refuses:
 * - HTTP Basic authentication with the repository id and password (401 "Bad credentials."), DOIs
 *   only under the repository's prefix (403);
 * - JSON:API documents `{"data": {"type": "dois", "attributes": {…}}}` as application/vnd.api+json
 *   (415 otherwise, 400 for broken JSON, 409 for a wrong type or id);
 * - POST /dois (201; 422 "This DOI has already been taken"), PUT /dois/{doi} (200; 404 unknown),
 *   GET /dois/{doi} (drafts and registered DOIs only to their repository), DELETE /dois/{doi}
 *   (204, drafts only: 405 otherwise), GET /heartbeat;
 * - states draft → registered → findable by the events `register`, `publish`, `hide` (findable →
 *   registered); any other transition is 422; a DOI never returns to draft;
 * - a registered or findable DOI must have DataCite's required metadata (the DataCite JSON schema's
 *   required properties: doi, url, creators[].name, titles[].title, publisher, publicationYear,
 *   types.resourceTypeGeneral), every controlled value from the kernel-4 XSD's lists, and a base64
 *   `xml` that validates with xmllint against the kernel-4 XSD (test/fixtures/datacite-kernel-4)
 *   and names the same DOI; failures are 422 with one `errors[]` entry each.
 * Faults for tests: `fault = 500` answers every request 500, `fault = 'reset'` drops connections,
 * `stop()` / `start()` take the server away and back on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'datacite-kernel-4');

export const KERNEL4_XSD = join(FIXTURES, 'metadata.xsd');

/** The values of a controlled list of the kernel-4 XSD (include/datacite-{name}-v4.xsd). */
function xsdList(name: string): Set<string> {
  const text = readFileSync(join(FIXTURES, 'include', `datacite-${name}-v4.xsd`), 'utf8');
  return new Set([...text.matchAll(/<xs:enumeration value="([^"]+)"/g)].map((m) => m[1]));
}
const LISTS = {
  resourceTypeGeneral: xsdList('resourceType'), relationType: xsdList('relationType'), relatedIdentifierType: xsdList('relatedIdentifierType'),
  dateType: xsdList('dateType'), descriptionType: xsdList('descriptionType'), nameType: xsdList('nameType'), titleType: xsdList('titleType'), contributorType: xsdList('contributorType'),
};

/** The attributes of a `dois` resource DataCite documents for writing. */
const ATTRIBUTES = new Set(['doi', 'prefix', 'suffix', 'event', 'url', 'xml', 'creators', 'titles', 'publisher', 'publicationYear', 'subjects', 'contributors', 'dates',
  'language', 'types', 'identifiers', 'alternateIdentifiers', 'relatedIdentifiers', 'relatedItems', 'sizes', 'formats', 'version', 'rightsList', 'descriptions',
  'geoLocations', 'fundingReferences', 'schemaVersion', 'contentUrl', 'landingPage']);

type State = 'draft' | 'registered' | 'findable';
export interface StoredDoi { doi: string; state: State; attributes: Record<string, any>; created: string; updated: string }
interface ApiError { status: string; title: string; source?: string }

export interface DataCiteTestServer {
  url: string;
  prefix: string;
  user: string;
  password: string;
  dois: Map<string, StoredDoi>;
  /** Every request answered: method, path, status, and the event of writes. */
  log: Array<{ method: string; path: string; status: number; event?: string }>;
  fault?: 500 | 'reset';
  get(doi: string): StoredDoi | undefined;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

class Refusal extends Error { constructor(readonly status: number, readonly errors: ApiError[]) { super(errors.map((e) => e.title).join('; ')); } }
const refuse = (status: number, title: string, source?: string) => new Refusal(status, [{ status: String(status), title, ...(source ? { source } : {}) }]);

const str = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** The metadata problems of a DOI that is to be registered or findable (DataCite JSON schema and the XSD's lists). */
function metadataProblems(a: Record<string, any>): ApiError[] {
  const out: ApiError[] = [];
  const p = (source: string, title: string) => out.push({ status: '422', source, title });
  if (!str(a.url)) p('url', "can't be blank");
  else if (!/^https?:\/\/[^\s/]+/.test(a.url)) p('url', 'is not a valid URL');
  if (!Array.isArray(a.creators) || !a.creators.length) p('creators', 'DOI must have at least one creator');
  else a.creators.forEach((c: any, i: number) => {
    if (!c || !str(c.name)) p(`creators[${i}].name`, "can't be blank");
    if (c?.nameType !== undefined && !LISTS.nameType.has(c.nameType)) p(`creators[${i}].nameType`, `"${c.nameType}" is not a nameType`);
    for (const [j, n] of (c?.nameIdentifiers ?? []).entries()) if (!str(n?.nameIdentifier) || !str(n?.nameIdentifierScheme)) p(`creators[${i}].nameIdentifiers[${j}]`, 'needs nameIdentifier and nameIdentifierScheme');
    for (const [j, f] of (c?.affiliation ?? []).entries()) if (!str(typeof f === 'string' ? f : f?.name)) p(`creators[${i}].affiliation[${j}]`, 'needs a name');
  });
  if (!Array.isArray(a.titles) || !a.titles.length) p('titles', 'DOI must have at least one title');
  else a.titles.forEach((t: any, i: number) => {
    if (!t || !str(t.title)) p(`titles[${i}].title`, "can't be blank");
    if (t?.titleType !== undefined && !LISTS.titleType.has(t.titleType)) p(`titles[${i}].titleType`, `"${t.titleType}" is not a titleType`);
  });
  const publisher = typeof a.publisher === 'string' ? a.publisher : a.publisher?.name;
  if (!str(publisher)) p('publisher', "can't be blank");
  if (!/^\d{4}$/.test(String(a.publicationYear ?? ''))) p('publicationYear', 'must be a year (YYYY)');
  if (!a.types || !str(a.types.resourceTypeGeneral)) p('types.resourceTypeGeneral', "can't be blank");
  else if (!LISTS.resourceTypeGeneral.has(a.types.resourceTypeGeneral)) p('types.resourceTypeGeneral', `"${a.types.resourceTypeGeneral}" is not a resourceTypeGeneral`);
  for (const [i, r] of (a.relatedIdentifiers ?? []).entries()) {
    if (!str(r?.relatedIdentifier)) p(`relatedIdentifiers[${i}].relatedIdentifier`, "can't be blank");
    if (!LISTS.relatedIdentifierType.has(r?.relatedIdentifierType)) p(`relatedIdentifiers[${i}].relatedIdentifierType`, `"${r?.relatedIdentifierType}" is not a relatedIdentifierType`);
    if (!LISTS.relationType.has(r?.relationType)) p(`relatedIdentifiers[${i}].relationType`, `"${r?.relationType}" is not a relationType`);
    if (r?.resourceTypeGeneral !== undefined && !LISTS.resourceTypeGeneral.has(r.resourceTypeGeneral)) p(`relatedIdentifiers[${i}].resourceTypeGeneral`, `"${r.resourceTypeGeneral}" is not a resourceTypeGeneral`);
  }
  for (const [i, d] of (a.dates ?? []).entries()) if (!str(d?.date) || !LISTS.dateType.has(d?.dateType)) p(`dates[${i}]`, 'needs a date and a dateType of the list');
  for (const [i, d] of (a.descriptions ?? []).entries()) if (!str(d?.description) || !LISTS.descriptionType.has(d?.descriptionType)) p(`descriptions[${i}]`, 'needs a description and a descriptionType of the list');
  for (const [i, s] of (a.subjects ?? []).entries()) if (!str(s?.subject)) p(`subjects[${i}].subject`, "can't be blank");
  for (const [i, c] of (a.contributors ?? []).entries()) if (!str(c?.name) || !LISTS.contributorType.has(c?.contributorType)) p(`contributors[${i}]`, 'needs a name and a contributorType of the list');
  return out;
}

/** xmllint against the kernel-4 XSD; the problems (empty when valid). */
export function xsdProblems(xml: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'datacite-xml-'));
  const file = join(dir, 'metadata.xml');
  writeFileSync(file, xml);
  return new Promise((resolve) => {
    execFile('xmllint', ['--noout', '--schema', KERNEL4_XSD, file], { timeout: 60_000 }, (err, _stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      if (!err) return resolve([]);
      const lines = String(stderr).split('\n').map((l) => l.replace(`${file}:`, 'line ').trim()).filter((l) => l && !/validates$|fails to validate$/.test(l));
      resolve(lines.length ? lines : [String(err.message)]);
    });
  });
}

export async function startDataCiteServer(opts: { prefix?: string; user?: string; password?: string } = {}): Promise<DataCiteTestServer> {
  const prefix = opts.prefix ?? '10.5072';
  const user = opts.user ?? 'SYNDB.TEST';
  const password = opts.password ?? 'test-password';
  const dois = new Map<string, StoredDoi>();
  const log: DataCiteTestServer['log'] = [];
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();

  const authorised = (req: IncomingMessage) => {
    const h = req.headers.authorization ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(h);
    return !!m && Buffer.from(m[1], 'base64').toString('utf8') === `${user}:${password}`;
  };
  const document = (d: StoredDoi) => {
    const [pre, ...rest] = d.doi.split('/');
    const { event: _e, ...attrs } = d.attributes;
    return { data: { id: d.doi, type: 'dois', attributes: { ...attrs, doi: d.doi, prefix: pre, suffix: rest.join('/'), identifiers: [{ identifier: `https://doi.org/${d.doi}`, identifierType: 'DOI' }], state: d.state, url: attrs.url ?? null, created: d.created, updated: d.updated }, relationships: { client: { data: { id: user.toLowerCase(), type: 'clients' } } } } };
  };

  async function readDocument(req: IncomingMessage): Promise<Record<string, any>> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (type !== 'application/vnd.api+json') throw refuse(415, 'The content type is not recognized: send application/vnd.api+json');
    let body: any;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { throw refuse(400, 'You need to provide a payload following the JSONAPI spec'); }
    if (!body || typeof body !== 'object' || !body.data || typeof body.data !== 'object') throw refuse(400, 'You need to provide a payload following the JSONAPI spec');
    if (body.data.type !== 'dois') throw refuse(409, `type "${body.data.type}" does not match the endpoint's type "dois"`, 'data.type');
    const attributes = body.data.attributes ?? {};
    if (typeof attributes !== 'object' || Array.isArray(attributes)) throw refuse(400, 'attributes must be an object', 'data.attributes');
    const unknown = Object.keys(attributes).filter((k) => !ATTRIBUTES.has(k));
    if (unknown.length) throw new Refusal(422, unknown.map((k) => ({ status: '422', source: k, title: 'is not an attribute of a DOI' })));
    return body.data;
  }

  async function checkMetadata(doi: string, a: Record<string, any>) {
    const problems = metadataProblems(a);
    if (a.xml !== undefined) {
      if (typeof a.xml !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(a.xml)) problems.push({ status: '422', source: 'xml', title: 'xml must be base64' });
      else {
        const xml = Buffer.from(a.xml, 'base64').toString('utf8');
        for (const line of await xsdProblems(xml)) problems.push({ status: '422', source: 'xml', title: line });
        const id = /<identifier\s+identifierType="([^"]*)"\s*>([^<]*)<\/identifier>/.exec(xml);
        if (!id) problems.push({ status: '422', source: 'xml', title: 'the XML has no <identifier identifierType="DOI">' });
        else if (id[1] !== 'DOI' || id[2].trim().toUpperCase() !== doi.toUpperCase()) problems.push({ status: '422', source: 'xml', title: `the XML identifies ${id[1]} ${id[2]}, not the DOI ${doi}` });
      }
    }
    if (problems.length) throw new Refusal(422, problems);
  }

  const eventState = (from: State | undefined, event: unknown): State => {
    if (event === undefined || event === null) return from ?? 'draft';
    if (event === 'publish' && from !== 'findable') return 'findable';
    if (event === 'register' && (from === undefined || from === 'draft')) return 'registered';
    if (event === 'hide' && from === 'findable') return 'registered';
    if (!['publish', 'register', 'hide'].includes(String(event))) throw refuse(422, `event "${String(event)}" is not one of publish, register, hide`, 'event');
    throw refuse(422, `Can't ${String(event)} a DOI that is ${from ?? 'new'}`, 'event');
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<{ status: number; body?: unknown; event?: string }> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    if (req.method === 'GET' && path === '/heartbeat') return { status: 200, body: 'OK' };
    const m = /^\/dois(?:\/(.+))?$/.exec(path);
    if (!m) throw refuse(404, "The resource you are looking for doesn't exist.");
    const doiParam = m[1];
    const stored = doiParam ? dois.get(doiParam.toUpperCase()) : undefined;
    if (req.method === 'GET' && doiParam) {
      if (!stored || (stored.state !== 'findable' && !authorised(req))) throw refuse(404, "The resource you are looking for doesn't exist.");
      return { status: 200, body: document(stored) };
    }
    if (!authorised(req)) throw refuse(401, 'Bad credentials.');
    if (req.method === 'POST' && !doiParam) {
      const data = await readDocument(req);
      const a = data.attributes ?? {};
      let doi: string | undefined = a.doi;
      if (!doi && a.prefix) doi = `${a.prefix}/${Math.random().toString(36).slice(2, 6)}-${Math.random().toString(36).slice(2, 6)}`;
      if (!str(doi) || !/^10\.\d{4,9}\/\S+$/.test(doi!)) throw refuse(422, 'DOI must be a prefix/suffix: 10.NNNN/suffix', 'doi');
      if (doi!.split('/')[0] !== prefix) throw refuse(403, 'You are not authorized to access this resource.');
      if (dois.has(doi!.toUpperCase())) throw refuse(422, 'This DOI has already been taken', 'doi');
      const state = eventState(undefined, a.event);
      const { event, doi: _d, prefix: _p, suffix: _s, ...attributes } = a;
      if (state !== 'draft') await checkMetadata(doi!, attributes);
      const now = new Date().toISOString();
      const rec: StoredDoi = { doi: doi!.toLowerCase(), state, attributes, created: now, updated: now };
      dois.set(doi!.toUpperCase(), rec);
      return { status: 201, body: document(rec), event };
    }
    if (!doiParam) throw refuse(405, 'Method not allowed');
    if (!stored) throw refuse(404, "The resource you are looking for doesn't exist.");
    if (req.method === 'PUT') {
      const data = await readDocument(req);
      if (data.id !== undefined && String(data.id).toUpperCase() !== stored.doi.toUpperCase()) throw refuse(409, `id "${data.id}" does not match the DOI of the URL`, 'data.id');
      const a = data.attributes ?? {};
      if (a.doi !== undefined && String(a.doi).toUpperCase() !== stored.doi.toUpperCase()) throw refuse(422, 'The DOI of a record cannot change', 'doi');
      const state = eventState(stored.state, a.event);
      const { event, doi: _d, prefix: _p, suffix: _s, ...attributes } = a;
      const merged = { ...stored.attributes, ...attributes };
      if (state !== 'draft') await checkMetadata(stored.doi, merged);
      Object.assign(stored, { state, attributes: merged, updated: new Date().toISOString() });
      return { status: 200, body: document(stored), event };
    }
    if (req.method === 'DELETE') {
      if (stored.state !== 'draft') throw refuse(405, 'Method not allowed');
      dois.delete(stored.doi.toUpperCase());
      return { status: 204 };
    }
    throw refuse(405, 'Method not allowed');
  }

  const api: DataCiteTestServer = {
    url: '', prefix, user, password, dois, log,
    get: (doi) => dois.get(doi.toUpperCase()),
    async start() {
      server = createServer((req, res) => {
        if (api.fault === 'reset') { req.socket.destroy(); return; }
        if (api.fault === 500) {
          req.resume();
          log.push({ method: req.method ?? '', path: req.url ?? '', status: 500 });
          res.writeHead(500, { 'content-type': 'application/vnd.api+json' }).end(JSON.stringify({ errors: [{ status: '500', title: 'Internal server error' }] }));
          return;
        }
        handle(req, res).then((r) => {
          log.push({ method: req.method ?? '', path: req.url ?? '', status: r.status, ...(r.event ? { event: r.event } : {}) });
          if (r.status === 204) return res.writeHead(204).end();
          if (typeof r.body === 'string') return res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.body);
          res.writeHead(r.status, { 'content-type': 'application/vnd.api+json; charset=utf-8' }).end(JSON.stringify(r.body));
        }, (e) => {
          const f = e instanceof Refusal ? e : new Refusal(500, [{ status: '500', title: String((e as Error).message) }]);
          log.push({ method: req.method ?? '', path: req.url ?? '', status: f.status });
          req.resume();
          res.writeHead(f.status, { 'content-type': 'application/vnd.api+json; charset=utf-8' }).end(JSON.stringify({ errors: f.errors }));
        });
      });
      server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
      await new Promise<void>((resolve, reject) => { server!.once('error', reject); server!.listen(port, '127.0.0.1', () => resolve()); });
      port = (server.address() as { port: number }).port;
      api.url = `http://127.0.0.1:${port}`;
    },
    async stop() {
      if (!server) return;
      const s = server;
      server = undefined;
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async close() { await api.stop(); },
  };
  await api.start();
  return api;
}
