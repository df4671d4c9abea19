/**
 * FAIR publication: /catalog (DCAT-AP 3), /sitemap.xml, /robots.txt, /oai (OAI-PMH 2.0),
 * /datasets/{id}[/versions/{n}]/linkset (FAIR signposting level 2), and the publication
 * representations of a dataset page used by the datasets router (schema.org / DCAT JSON-LD,
 * DataCite XML / JSON, Link headers, the landing page's JSON-LD block).
 * Only public datasets (Catalog.isPublic, with a live published version) appear in the
 * catalog, sitemap and OAI-PMH, whoever asks.
 */
import { metadataLinks } from './pages/format-names.js';
import express, { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import type { Quad } from '../util/rdf.js';
import { serializeGraph } from '../publish/rdf-formats.js';
import { conceptMetadata, publicEntries, provenanceTimes, datasetModified, type DatasetMetadata, type MetadataDeps } from '../publish/metadata.js';
import { schemaOrgDataset, jsonLdQuads, jsonLdScript } from '../publish/schema-org.js';
import { dcatDataset, dcatCatalog, dcatJsonLd, DEFAULT_PAGE_SIZE, DCAT_PROFILE, DCAT_AP_PROFILE } from '../publish/dcat.js';
import { dataciteRecord, dataciteXml, dataciteJson, DATACITE_XML, DATACITE_JSON } from '../publish/datacite.js';
import { signposts, linkHeader, linksetJson, linksetText, DESCRIBED_BY, LINKSET, LINKSET_JSON } from '../publish/signposting.js';
import { sitemapResponse, robotsTxt, SITEMAP_LIMIT, type SitemapUrl } from '../publish/sitemap.js';
import { oaiRespond } from '../publish/oai-pmh.js';
import { oaiRepository } from '../publish/oai-repository.js';
import { negotiate, FORMAT_MEDIA } from './negotiate.js';
import { requestedProfile, negotiateProfiled, PROFILE_URI, type ProfileRequest } from './profiles.js';
import { callerOf } from './auth.js';
import { HttpError } from './problem.js';
import { esc } from './html.js';
import { queryString } from './query-string.js';
import { datasetView } from '../service/dataset-view.js';
import { positiveIntFromEnv } from '../util/env.js';

export { DATACITE_XML, DATACITE_JSON };

/** The metadata documents a page points to (DataCite XML only with a DOI, fairReadTypes). */
const describedBy = (m: DatasetMetadata) => DESCRIBED_BY.filter((d) => d.mediaType !== DATACITE_XML || !!m.doi);

const deps = (ctx: ServiceContext): MetadataDeps => ({ store: ctx.store, iris: ctx.iris, catalog: ctx.catalog, publisher: ctx.config.publisher });

const envInt = (name: string, dflt: number) => positiveIntFromEnv(name, dflt);

// ---------------------------------------------------------------------------------------------
// The dataset page (used by datasets-router.ts)
// ---------------------------------------------------------------------------------------------

/** Media types a dataset page offers besides the base RDF ones (DataCite XML only where the page has a DOI: fairReadTypes). */
export const FAIR_READ_TYPES = [DATACITE_XML, DATACITE_JSON];

/**
 * The FAIR media types of one page. DataCite XML needs a DOI: kernel-4 makes <identifier> mandatory
 * and DataCite's schema documentation allows only identifierType="DOI" there (a landing-page URL
 * is no persistent identifier), so a page without a DOI does not offer it. DataCite JSON stays: it
 * is the form sent to the REST API to register a DOI, where the DOI may still be missing.
 */
export function fairReadTypes(m: DatasetMetadata): string[] {
  return m.doi ? FAIR_READ_TYPES : FAIR_READ_TYPES.filter((t) => t !== DATACITE_XML);
}

/** Did the request ask for DataCite XML above the other offers (so a 406 should say why it is missing)? */
export function wantedDataciteXml(req: Request, offers: string[]): boolean {
  try { return negotiate(req, [...offers, DATACITE_XML]) === DATACITE_XML; } catch { return false; }
}

/** The 406 of a request for DataCite XML of a page without a DOI (RFC 9457 problem details). */
export function dataciteXmlWithoutDoi(m: DatasetMetadata, offers: string[]): HttpError {
  return new HttpError(406, 'Not Acceptable', `${m.iri} has no DOI${m.isConcept || m.version === undefined ? '' : ` (version ${m.version})`}, and DataCite XML cannot be given without one: the DataCite Metadata Schema makes <identifier identifierType="DOI"> mandatory. `
    + 'A DOI is registered when the service has a DataCite account (SYNDB_DATACITE_URL and friends) and the dataset is public and published; until then use DataCite JSON (?format=datacite-json), JSON-LD, DCAT or Turtle.',
  { available: offers, reason: 'no-doi' });
}

/** `?format=` value of a media type (the reverse of FORMAT_MEDIA). */
export function formatOf(mediaType: string): string | undefined {
  if (mediaType === DATACITE_JSON) return 'datacite-json';
  return Object.entries(FORMAT_MEDIA).find(([, m]) => m === mediaType)?.[0];
}

/** Extra <head> of a landing page: the schema.org JSON-LD block and <link rel="alternate"> to every other format. */
export function landingHead(m: DatasetMetadata, offered: string[]): string {
  const alternates = offered.filter((t) => t !== 'text/html').flatMap((t) => {
    const f = formatOf(t);
    if (!f) return [];
    const links = [`<link rel="alternate" type="${esc(t)}" href="${esc(`${m.iri}?format=${f}`)}">`];
    if (t === 'application/ld+json') links.push(`<link rel="alternate" type="${esc('application/ld+json; profile="http://www.w3.org/ns/dcat#"')}" href="${esc(`${m.iri}?format=jsonld&profile=dcat`)}">`);
    return links;
  });
  alternates.push(`<link rel="describedby" type="${LINKSET_JSON}" href="${esc(`${m.iri}/linkset`)}">`);
  return `\n${jsonLdScript(schemaOrgDataset(m))}\n${alternates.join('\n')}\n`;
}

/** The "Metadata" line of a landing page: each format once, by its name (src/http/pages/format-names.ts). */
export function alternatesHtml(m: DatasetMetadata, offered: string[]): string {
  return metadataLinks(m.iri, offered);
}

/** Set the signposting Link header of a dataset page. */
export function setSignposting(res: Response, m: DatasetMetadata) {
  res.setHeader('Link', linkHeader(signposts(m, describedBy(m))));
}

/** Statements the publication profiles add to a page (schema.org and DCAT-AP), for the full-graph formats. */
export async function publicationQuads(m: DatasetMetadata): Promise<Quad[]> {
  return [...await jsonLdQuads(schemaOrgDataset(m)), ...dcatDataset(m).quads];
}

/**
 * Send the publication representations of a dataset page: JSON-LD (schema.org by default, DCAT,
 * or the full graph), DataCite XML / JSON, and Turtle / N-Triples / RDF/XML (the full graph by
 * default: stored statements plus the schema.org and DCAT statements of the page; or the
 * schema.org or DCAT description alone). Every RDF representation names its profile in
 * Content-Profile. Returns false for other types.
 */
export async function sendPublication(res: Response, type: string, asked: ProfileRequest, m: DatasetMetadata, quads: Quad[]): Promise<boolean> {
  // a profile parameter on application/ld+json in Accept binds to JSON-LD only
  const profile = asked.via === 'accept' && type !== 'application/ld+json' ? undefined : asked.profile;
  const full = async () => [...quads, ...await publicationQuads(m)];
  switch (type) {
    case 'application/ld+json': {
      const p = profile ?? 'schema';
      res.setHeader('Content-Profile', `<${PROFILE_URI[p]}>`);
      if (p === 'dcat') res.type(`application/ld+json; profile="${DCAT_PROFILE}"`).send(JSON.stringify(await dcatJsonLd(dcatDataset(m).quads), null, 2));
      else if (p === 'full') res.type('application/ld+json').send(await serializeGraph(await full(), 'application/ld+json'));
      else res.type('application/ld+json').send(JSON.stringify(schemaOrgDataset(m), null, 2));
      return true;
    }
    case DATACITE_XML:
      if (!m.doi) throw dataciteXmlWithoutDoi(m, []);
      res.type(`${DATACITE_XML}; charset=utf-8`).send(dataciteXml(dataciteRecord(m)));
      return true;
    case DATACITE_JSON:
      res.type(DATACITE_JSON).send(JSON.stringify(dataciteJson(dataciteRecord(m)), null, 2));
      return true;
    case 'text/turtle': case 'application/n-triples': case 'application/rdf+xml': {
      const p = profile ?? 'full';
      res.setHeader('Content-Profile', `<${PROFILE_URI[p]}>`);
      const graph = p === 'dcat' ? dcatDataset(m).quads : p === 'schema' ? await jsonLdQuads(schemaOrgDataset(m)) : await full();
      res.type(type).send(await serializeGraph(graph, type));
      return true;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Catalog, sitemap, robots, OAI-PMH, linksets
// ---------------------------------------------------------------------------------------------

export const CATALOG_TYPES = ['text/turtle', 'application/ld+json', 'application/rdf+xml', 'application/n-triples'];

function positiveInt(name: string, v: unknown, max: number): number | undefined {
  if (v === undefined) return undefined;
  const s = Array.isArray(v) ? String(v[0]) : String(v);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > max) throw new HttpError(400, 'Bad Request', `${name}="${s}" must be a whole number from 1 to ${max}`);
  return Number(s);
}

function queryParams(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(raw)) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
}

export function fairRouter(ctx: ServiceContext): Router {
  const r = Router();
  const oaiPage = envInt('SYNDB_OAI_PAGE_SIZE', 100);
  const catalogPage = envInt('SYNDB_CATALOG_PAGE_SIZE', DEFAULT_PAGE_SIZE);
  const sitemapLimit = envInt('SYNDB_SITEMAP_LIMIT', SITEMAP_LIMIT);

  r.get('/catalog', async (req, res) => {
    res.vary('Accept').vary('Accept-Profile');
    const asked = requestedProfile(req, ['dcat']);
    const type = negotiateProfiled(req, CATALOG_TYPES, asked, ['dcat']);
    const pageSize = positiveInt('pageSize', req.query.pageSize, 1000) ?? catalogPage;
    const page = positiveInt('page', req.query.page, 1_000_000) ?? 1;
    const entries = publicEntries(ctx.catalog);
    const last = Math.max(1, Math.ceil(entries.length / pageSize));
    if (page > last) throw new HttpError(404, 'Not Found', `page ${page} does not exist; the catalog has ${last} page${last === 1 ? '' : 's'} of ${pageSize} datasets`);
    const slice = entries.slice((page - 1) * pageSize, page * pageSize);
    const metas = [];
    for (const e of slice) metas.push(await conceptMetadata(deps(ctx), e));
    const prov = await provenanceTimes(ctx.store, entries.map((e) => `${ctx.iris.concept(e.id)}/provenance`));
    const modified = entries.map((e) => datasetModified(prov, ctx.iris, e)).filter((x): x is string => !!x).sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);
    const issued = entries.map((e) => prov.time.get(prov.generatedBy.get(ctx.iris.version(e.id, e.versions[0])) ?? '')).filter((x): x is string => !!x).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    const quads = dcatCatalog(ctx.iris.base, ctx.config.publisher, metas, { page, pageSize, total: entries.length, issued, modified }).quads;
    res.setHeader('Content-Profile', `<${DCAT_AP_PROFILE}>`);
    if (type === 'application/ld+json') return res.type('application/ld+json').send(JSON.stringify(await dcatJsonLd(quads), null, 2));
    res.type(type).send(await serializeGraph(quads, type));
  });

  const sitemapUrls = async (): Promise<SitemapUrl[]> => {
    const entries = publicEntries(ctx.catalog);
    const prov = await provenanceTimes(ctx.store, entries.map((e) => `${ctx.iris.concept(e.id)}/provenance`));
    const urls: SitemapUrl[] = [];
    for (const e of entries) {
      urls.push({ loc: ctx.iris.concept(e.id), lastmod: datasetModified(prov, ctx.iris, e) });
      for (const v of e.versions.filter((x) => !e.withdrawn.has(x))) {
        const V = ctx.iris.version(e.id, v);
        urls.push({ loc: V, lastmod: prov.time.get(prov.generatedBy.get(V) ?? '') });
      }
    }
    return urls;
  };
  r.get('/sitemap.xml', async (req, res) => {
    const part = positiveInt('part', req.query.part, 1_000_000);
    const xml = sitemapResponse(await sitemapUrls(), `${ctx.iris.base}/sitemap.xml`, part, sitemapLimit);
    if (xml === undefined) throw new HttpError(404, 'Not Found', `sitemap part ${part} does not exist`);
    res.type('application/xml').send(xml);
  });
  r.get('/robots.txt', (_req, res) => { res.type('text/plain').send(robotsTxt(ctx.iris.base)); });

  const oai = async (raw: string, res: Response) => {
    const xml = await oaiRespond(oaiRepository(deps(ctx)), queryParams(raw), oaiPage);
    res.type('text/xml; charset=utf-8').send(xml);
  };
  r.get('/oai', (req, res) => oai(queryString(req), res));
  r.post('/oai', express.text({ type: () => true, limit: '64kb' }), (req, res) => {
    const ct = req.headers['content-type'];
    if (ct && !/^application\/x-www-form-urlencoded\b/i.test(ct)) throw new HttpError(415, 'Unsupported Media Type', `send OAI-PMH POST requests as application/x-www-form-urlencoded (got "${ct}")`);
    return oai(typeof req.body === 'string' ? req.body : '', res);
  });

  const linkset = async (req: Request, res: Response, version?: number) => {
    const m = await (await datasetView(ctx, String(req.params.id), callerOf(res), version)).metadata();
    const links = signposts(m, describedBy(m));
    const type = negotiate(req, [LINKSET_JSON, LINKSET, 'application/json']);
    res.vary('Accept');
    if (type === LINKSET) return res.type(LINKSET).send(linksetText(m.iri, links));
    res.type(type === 'application/json' ? 'application/json' : LINKSET_JSON).send(JSON.stringify(linksetJson(m.iri, links), null, 2));
  };
  r.get('/datasets/:id/linkset', (req, res) => linkset(req, res));
  r.get('/datasets/:id/versions/:n/linkset', (req, res) => {
    const n = Number(req.params.n);
    if (!Number.isInteger(n) || n < 1 || String(n) !== req.params.n) throw new HttpError(404, 'Not Found', `"${req.params.n}" is not a version number`);
    return linkset(req, res, n);
  });
  return r;
}
