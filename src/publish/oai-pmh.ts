/**
 * OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html): the six verbs,
 * oai_dc and oai_datacite, sets (collections and facets), selective harvesting by datestamp
 * and set, stateless resumption tokens and every error condition of the protocol.
 * One item per public dataset (its concept, described by its latest published version).
 */
import type { DatasetMetadata } from './metadata.js';
import { dataciteRecord, dataciteResourceXml } from './datacite.js';
import { escapeMarkup } from '../util/markup-escape.js';

export const OAI_NS = 'http://www.openarchives.org/OAI/2.0/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * One item. `formats`: the metadata formats it can be disseminated in (default: every format). An
 * item without a DOI has no oai_datacite record (DataCite metadata requires a DOI): it is listed
 * only in oai_dc, and GetRecord of it in oai_datacite is cannotDisseminateFormat.
 */
export interface OaiItem { identifier: string; datestamp: string; sets: string[]; formats?: Array<keyof typeof FORMATS> }
export interface OaiSet { spec: string; name: string; description?: string }

export interface OaiRepository {
  name: string;
  baseUrl: string;
  adminEmail: string;
  /** Prefix of item identifiers (`oai:host:`). */
  identifierPrefix: string;
  repositoryIdentifier?: string;
  /** Every item, sorted by identifier. */
  items(): Promise<OaiItem[]>;
  /** Identifiers that exist but have no disseminable metadata (e.g. every version withdrawn). */
  withoutMetadata(identifier: string): Promise<boolean>;
  sets(): Promise<OaiSet[]>;
  metadata(identifier: string): Promise<DatasetMetadata>;
}

export const FORMATS = {
  oai_dc: { schema: 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd', namespace: 'http://www.openarchives.org/OAI/2.0/oai_dc/' },
  oai_datacite: { schema: 'http://schema.datacite.org/oai/oai-1.1/oai.xsd', namespace: 'http://schema.datacite.org/oai/oai-1.1/' },
} as const;
type Prefix = keyof typeof FORMATS;

const VERBS: Record<string, { required: string[]; optional: string[]; exclusive?: string }> = {
  Identify: { required: [], optional: [] },
  ListMetadataFormats: { required: [], optional: ['identifier'] },
  ListSets: { required: [], optional: [], exclusive: 'resumptionToken' },
  ListIdentifiers: { required: ['metadataPrefix'], optional: ['from', 'until', 'set'], exclusive: 'resumptionToken' },
  ListRecords: { required: ['metadataPrefix'], optional: ['from', 'until', 'set'], exclusive: 'resumptionToken' },
  GetRecord: { required: ['identifier', 'metadataPrefix'], optional: [] },
};

export type OaiErrorCode = 'badArgument' | 'badResumptionToken' | 'badVerb' | 'cannotDisseminateFormat' | 'idDoesNotExist' | 'noRecordsMatch' | 'noMetadataFormats' | 'noSetHierarchy';
class OaiError extends Error { constructor(readonly code: OaiErrorCode, message: string) { super(message); } }

interface Token { v: string; p?: string; s?: string; f?: string; u?: string; o: number }

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** OAI datestamp (seconds granularity, UTC). */
export const datestamp = (t: string) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

function parseDate(name: string, v: string, end: boolean): { ms: number; granularity: 'day' | 'seconds' } {
  let ms: number;
  let granularity: 'day' | 'seconds';
  if (DAY.test(v)) { ms = Date.parse(`${v}T${end ? '23:59:59' : '00:00:00'}Z`); granularity = 'day'; }
  else if (SECONDS.test(v)) { ms = Date.parse(v); granularity = 'seconds'; }
  else throw new OaiError('badArgument', `${name}="${v}" is not a UTC datestamp; expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== v.slice(0, 10)) throw new OaiError('badArgument', `${name}="${v}" is not a valid date`);
  return { ms, granularity };
}

const encodeToken = (t: Token) => Buffer.from(JSON.stringify(t)).toString('base64url');
function decodeToken(s: string, verb: string): Token {
  let t: Token;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new Error('charset');
    t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Token;
  } catch {
    throw new OaiError('badResumptionToken', `the resumptionToken "${s.slice(0, 80)}" is not one this repository issued`);
  }
  if (!t || typeof t !== 'object' || t.v !== verb || !Number.isInteger(t.o) || t.o < 0) throw new OaiError('badResumptionToken', `the resumptionToken "${s.slice(0, 80)}" was not issued for ${verb}, or is damaged`);
  return t;
}

export interface OaiRequest { params: Map<string, string[]> }

/** Answer one OAI-PMH request (all answers are HTTP 200 text/xml; errors are in the XML). */
export async function oaiRespond(repo: OaiRepository, params: Map<string, string[]>, pageSize = 100, now = new Date()): Promise<string> {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="${OAI_NS}" xmlns:xsi="${XSI}" xsi:schemaLocation="${OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n  <responseDate>${datestamp(now.toISOString())}</responseDate>\n`;
  const verbs = params.get('verb') ?? [];
  const bare = `  <request>${escapeMarkup(repo.baseUrl)}</request>\n`;
  const error = (req: string, code: OaiErrorCode, msg: string) => `${head}${req}  <error code="${code}">${escapeMarkup(msg)}</error>\n</OAI-PMH>\n`;
  if (verbs.length !== 1) return error(bare, 'badVerb', verbs.length ? 'the verb argument is repeated' : 'the verb argument is missing; one of Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords, GetRecord');
  const verb = verbs[0];
  const spec = VERBS[verb];
  if (!spec) return error(bare, 'badVerb', `"${verb}" is not an OAI-PMH verb; one of ${Object.keys(VERBS).join(', ')}`);
  const args = new Map<string, string>();
  for (const [k, vs] of params) {
    if (k === 'verb') continue;
    if (vs.length > 1) return error(bare, 'badArgument', `the argument ${k} is repeated`);
    if (![...spec.required, ...spec.optional, spec.exclusive].includes(k)) return error(bare, 'badArgument', `${verb} does not take the argument "${k}"${[...spec.required, ...spec.optional, spec.exclusive].filter(Boolean).length ? `; it takes ${[...spec.required, ...spec.optional, spec.exclusive].filter(Boolean).join(', ')}` : '; it takes no arguments'}`);
    args.set(k, vs[0]);
  }
  if (spec.exclusive && args.has(spec.exclusive)) {
    if (args.size > 1) return error(bare, 'badArgument', `resumptionToken is an exclusive argument: send it without ${[...args.keys()].filter((k) => k !== 'resumptionToken').join(', ')}`);
  } else {
    const missing = spec.required.filter((k) => !args.has(k));
    if (missing.length) return error(bare, 'badArgument', `${verb} needs the argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  const req = `  <request verb="${escapeMarkup(verb)}"${[...args].map(([k, v]) => ` ${k}="${escapeMarkup(v)}"`).join('')}>${escapeMarkup(repo.baseUrl)}</request>\n`;
  try {
    const body = await dispatch(repo, verb, args, pageSize);
    return `${head}${req}${body}</OAI-PMH>\n`;
  } catch (e) {
    // badVerb / badArgument: the request element carries the base URL only (protocol §3.2)
    if (e instanceof OaiError) return error(e.code === 'badArgument' || e.code === 'badVerb' ? bare : req, e.code, e.message);
    throw e;
  }
}

function checkPrefix(p: string): Prefix {
  if (!(p in FORMATS)) throw new OaiError('cannotDisseminateFormat', `metadataPrefix "${p}" is not supported; use ${Object.keys(FORMATS).join(' or ')}`);
  return p as Prefix;
}

async function dispatch(repo: OaiRepository, verb: string, args: Map<string, string>, pageSize: number): Promise<string> {
  switch (verb) {
    case 'Identify': {
      const items = await repo.items();
      const earliest = items.reduce<string | undefined>((m, i) => (!m || i.datestamp < m ? i.datestamp : m), undefined) ?? '1970-01-01T00:00:00Z';
      const desc = repo.repositoryIdentifier ? `    <description>
      <oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">
        <scheme>oai</scheme>
        <repositoryIdentifier>${escapeMarkup(repo.repositoryIdentifier)}</repositoryIdentifier>
        <delimiter>:</delimiter>
        <sampleIdentifier>${escapeMarkup(`${repo.identifierPrefix}l4dense-motta2019`)}</sampleIdentifier>
      </oai-identifier>
    </description>\n` : '';
      return `  <Identify>
    <repositoryName>${escapeMarkup(repo.name)}</repositoryName>
    <baseURL>${escapeMarkup(repo.baseUrl)}</baseURL>
    <protocolVersion>2.0</protocolVersion>
    <adminEmail>${escapeMarkup(repo.adminEmail)}</adminEmail>
    <earliestDatestamp>${earliest}</earliestDatestamp>
    <deletedRecord>no</deletedRecord>
    <granularity>YYYY-MM-DDThh:mm:ssZ</granularity>
${desc}  </Identify>\n`;
    }
    case 'ListMetadataFormats': {
      const id = args.get('identifier');
      let formats = Object.entries(FORMATS);
      if (id !== undefined) {
        const items = await repo.items();
        const item = items.find((i) => i.identifier === id);
        if (item) formats = formats.filter(([p]) => canDisseminate(item, p as Prefix));
        if (!item) {
          if (await repo.withoutMetadata(id)) throw new OaiError('noMetadataFormats', `the item "${id}" has no metadata that can be disseminated (every version of it is withdrawn)`);
          throw new OaiError('idDoesNotExist', `no item "${id}" in this repository; identifiers look like ${repo.identifierPrefix}{dataset-id}`);
        }
      }
      return `  <ListMetadataFormats>\n${formats.map(([p, f]) => `    <metadataFormat>
      <metadataPrefix>${p}</metadataPrefix>
      <schema>${f.schema}</schema>
      <metadataNamespace>${f.namespace}</metadataNamespace>
    </metadataFormat>\n`).join('')}  </ListMetadataFormats>\n`;
    }
    case 'ListSets': {
      const tok = args.get('resumptionToken');
      const offset = tok !== undefined ? decodeToken(tok, verb).o : 0;
      const sets = await repo.sets();
      if (!sets.length) throw new OaiError('noSetHierarchy', 'this repository has no sets yet');
      if (offset > sets.length) throw new OaiError('badResumptionToken', 'the resumptionToken points past the end of the list');
      const page = sets.slice(offset, offset + pageSize);
      const rt = resumption(sets.length, offset, page.length, tok !== undefined, { v: verb, o: offset + page.length });
      return `  <ListSets>\n${page.map((s) => `    <set><setSpec>${escapeMarkup(s.spec)}</setSpec><setName>${escapeMarkup(s.name)}</setName>${s.description ? `<setDescription>${dcXml([['description', s.description]], '')}</setDescription>` : ''}</set>\n`).join('')}${rt}  </ListSets>\n`;
    }
    case 'GetRecord': {
      const prefix = checkPrefix(args.get('metadataPrefix')!);
      const id = args.get('identifier')!;
      const item = (await repo.items()).find((i) => i.identifier === id);
      if (!item) throw new OaiError('idDoesNotExist', `no item "${id}" in this repository; identifiers look like ${repo.identifierPrefix}{dataset-id}`);
      if (!canDisseminate(item, prefix)) throw new OaiError('cannotDisseminateFormat', `the item "${id}" has no DOI, and DataCite metadata (${prefix}) requires one; it is available as ${(item.formats ?? []).join(', ') || 'nothing'}`);
      return `  <GetRecord>\n${await recordXml(repo, item, prefix)}  </GetRecord>\n`;
    }
    case 'ListIdentifiers':
    case 'ListRecords': {
      const tok = args.get('resumptionToken');
      const t: Token = tok !== undefined ? decodeToken(tok, verb)
        : { v: verb, p: args.get('metadataPrefix'), s: args.get('set'), f: args.get('from'), u: args.get('until'), o: 0 };
      let prefix: Prefix;
      try { prefix = checkPrefix(t.p ?? ''); } catch (e) { if (tok !== undefined) throw new OaiError('badResumptionToken', 'the resumptionToken names no supported metadataPrefix'); throw e; }
      const from = t.f !== undefined ? parseDate('from', t.f, false) : undefined;
      const until = t.u !== undefined ? parseDate('until', t.u, true) : undefined;
      if (from && until) {
        if (from.granularity !== until.granularity) throw new OaiError('badArgument', `from="${t.f}" and until="${t.u}" have different granularities; use the same (day or seconds) for both`);
        if (from.ms > until.ms) throw new OaiError('badArgument', `from="${t.f}" is later than until="${t.u}"`);
      }
      let items = (await repo.items()).filter((i) => canDisseminate(i, prefix));
      if (t.s !== undefined) {
        const sets = await repo.sets();
        if (!sets.length) throw new OaiError('noSetHierarchy', 'this repository has no sets yet, so set cannot be used');
        items = items.filter((i) => i.sets.some((s) => s === t.s || s.startsWith(`${t.s}:`)));
      }
      items = items.filter((i) => {
        const ms = Date.parse(i.datestamp);
        return (!from || ms >= from.ms) && (!until || ms <= until.ms);
      });
      if (!items.length) throw new OaiError('noRecordsMatch', `no records match${prefix === 'oai_datacite' ? ' metadataPrefix="oai_datacite" (only items with a DOI have one)' : ''}${t.s ? ` set="${t.s}"` : ''}${t.f ? ` from="${t.f}"` : ''}${t.u ? ` until="${t.u}"` : ''}`);
      if (t.o >= items.length && tok !== undefined) throw new OaiError('badResumptionToken', 'the resumptionToken points past the end of the list (the repository changed); start the harvest again');
      const page = items.slice(t.o, t.o + pageSize);
      const rt = resumption(items.length, t.o, page.length, tok !== undefined, { ...t, o: t.o + page.length });
      const body = verb === 'ListIdentifiers'
        ? page.map((i) => headerXml(i, '    ')).join('')
        : (await Promise.all(page.map((i) => recordXml(repo, i, prefix)))).join('');
      return `  <${verb}>\n${body}${rt}  </${verb}>\n`;
    }
  }
  throw new OaiError('badVerb', `"${verb}" is not an OAI-PMH verb`);
}

const canDisseminate = (i: OaiItem, p: Prefix) => !i.formats || i.formats.includes(p);

function resumption(total: number, offset: number, count: number, fromToken: boolean, next: Token): string {
  if (offset + count < total) return `    <resumptionToken completeListSize="${total}" cursor="${offset}">${encodeToken(next)}</resumptionToken>\n`;
  return fromToken ? `    <resumptionToken completeListSize="${total}" cursor="${offset}"/>\n` : '';
}

function headerXml(i: OaiItem, indent: string): string {
  return `${indent}<header>
${indent}  <identifier>${escapeMarkup(i.identifier)}</identifier>
${indent}  <datestamp>${i.datestamp}</datestamp>
${i.sets.map((s) => `${indent}  <setSpec>${escapeMarkup(s)}</setSpec>\n`).join('')}${indent}</header>\n`;
}

async function recordXml(repo: OaiRepository, i: OaiItem, prefix: Prefix): Promise<string> {
  const m = await repo.metadata(i.identifier);
  const meta = prefix === 'oai_dc' ? oaiDc(m) : oaiDatacite(m);
  return `    <record>\n${headerXml(i, '      ')}      <metadata>\n${meta}\n      </metadata>\n    </record>\n`;
}

function dcXml(fields: Array<[string, string]>, indent: string): string {
  return `<oai_dc:dc xmlns:oai_dc="${FORMATS.oai_dc.namespace}" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="${XSI}" xsi:schemaLocation="${FORMATS.oai_dc.namespace} ${FORMATS.oai_dc.schema}">\n${fields.map(([k, v]) => `${indent}  <dc:${k}>${escapeMarkup(v)}</dc:${k}>\n`).join('')}${indent}</oai_dc:dc>`;
}

/** Simple Dublin Core of a dataset. */
export function oaiDc(m: DatasetMetadata): string {
  const r = dataciteRecord(m);
  const f: Array<[string, string]> = [['title', m.title]];
  for (const c of m.creators) f.push(['creator', c.name]);
  for (const s of r.subjects) f.push(['subject', s.subject]);
  f.push(['description', m.description || m.title], ['publisher', m.publisher]);
  for (const d of r.dates.filter((x) => x.dateType === 'Issued')) f.push(['date', d.date]);
  f.push(['type', 'Dataset']);
  for (const x of r.formats) f.push(['format', x]);
  f.push(['identifier', m.iri]);
  if (m.doi) f.push(['identifier', `https://doi.org/${m.doi}`]);
  for (const p of m.publications) f.push(['relation', p.doi ? `https://doi.org/${p.doi}` : p.iri]);
  for (const s of m.derivedFrom) f.push(['source', s]);
  for (const x of r.rightsList) f.push(['rights', x.rightsUri ?? x.rights]);
  f.push(['language', 'en']);
  return `        ${dcXml(f, '        ')}`;
}

/** DataCite kernel-4 wrapped for OAI-PMH (oai_datacite, as DataCite's own provider does). */
export function oaiDatacite(m: DatasetMetadata): string {
  const r = dataciteRecord(m);
  return `        <oai_datacite xmlns="${FORMATS.oai_datacite.namespace}" xmlns:xsi="${XSI}" xsi:schemaLocation="${FORMATS.oai_datacite.namespace} ${FORMATS.oai_datacite.schema}">
          <schemaVersion>4.5</schemaVersion>
          <datacentreSymbol>${escapeMarkup(m.publisher.toUpperCase().replace(/[^A-Z0-9.]+/g, '.'))}</datacentreSymbol>
          <payload>
${dataciteResourceXml(r, '            ')}
          </payload>
        </oai_datacite>`;
}
