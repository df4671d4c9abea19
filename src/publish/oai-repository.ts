/**
 * The OAI-PMH repository (oai-pmh.ts) of the public datasets: their items (datestamps, sets,
 * formats), the sets (public collections and tags, species, brain regions, microscopy methods of
 * the latest versions) and each item's metadata, read from the store once per request.
 */
import { NS } from '../model/namespaces.js';
import type { DatasetEntry } from '../model/catalog.js';
import { sparqlIri } from '../util/rdf.js';
import { conceptMetadata, datasetModified, labelsOf, provenanceTimes, publicEntries, type MetadataDeps } from './metadata.js';
import { doiRecords, resolves } from './dois.js';
import { datestamp, type OaiItem, type OaiRepository, type OaiSet } from './oai-pmh.js';
import { envString } from '../util/env.js';

/** The OAI-PMH repository of the public datasets, memoised for one request. */
export function oaiRepository(ctx: MetadataDeps): OaiRepository {
  const host = new URL(ctx.iris.base).hostname;
  const prefix = `oai:${host}:`;
  let items: Promise<OaiItem[]> | undefined;
  let sets: Promise<{ sets: OaiSet[]; members: Map<string, string[]> }> | undefined;
  const loadSets = () => (sets ??= (async () => {
    const entries = publicEntries(ctx.catalog);
    const members = new Map<string, string[]>();
    const add = (id: string, spec: string) => members.set(id, [...new Set([...(members.get(id) ?? []), spec])]);
    const out = new Map<string, OaiSet>();
    // collections (public ones; only their public members count)
    const cols = await ctx.store.select(`PREFIX dcterms: <${NS.dcterms}> PREFIX syndb: <${NS.syndb}>
      SELECT ?c ?k ?t ?d ?m ?ar WHERE { GRAPH ?c { ?c a ?k ; dcterms:title ?t . FILTER(?k IN (syndb:Collection, syndb:Tag))
        OPTIONAL { ?c dcterms:description ?d } OPTIONAL { ?c dcterms:hasPart ?m } OPTIONAL { ?c dcterms:accessRights ?ar } }
        FILTER(STRSTARTS(STR(?c), ${JSON.stringify(`${ctx.iris.base}/collections/`)})) }`);
    const hidden = new Set(cols.filter((r) => r.ar && r.ar.value !== `${NS.ar}PUBLIC`).map((r) => r.c.value));
    const pub = new Set(entries.map((e) => e.id));
    for (const r of cols) {
      if (hidden.has(r.c.value)) continue;
      const cid = r.c.value.slice(`${ctx.iris.base}/collections/`.length);
      if (!/^[A-Za-z0-9\-_.!~*'()]+$/.test(cid)) continue;
      const spec = `collection:${cid}`;
      if (!out.has(spec)) out.set(spec, { spec, name: r.t.value, description: r.d?.value });
      const p = r.m && ctx.iris.parse(r.m.value);
      if (p && pub.has(p.id)) add(p.id, spec);
    }
    const tagSpecs = new Map<string, string>();
    for (const r of cols) if (r.k.value === `${NS.syndb}Tag` && !hidden.has(r.c.value)) tagSpecs.set(r.t.value, `collection:${r.c.value.slice(`${ctx.iris.base}/collections/`.length)}`);
    if (out.size) out.set('collection', { spec: 'collection', name: 'Collections' });
    // facets of the latest versions
    if (entries.length) {
      const graphs = entries.map((e) => ctx.iris.version(e.id, ctx.catalog.latest(e)!));
      const rows = await ctx.store.select(`PREFIX syndb: <${NS.syndb}>
        SELECT ?g ?p ?o WHERE { GRAPH ?g { ?g ?p ?o FILTER(?p IN (syndb:species, syndb:brainRegion, syndb:microscopyMethod, syndb:tag)) } VALUES ?g { ${graphs.map(sparqlIri).join(' ')} } }`);
      // a tag's members are the datasets carrying its title as syndb:tag
      for (const r of rows.filter((x) => x.p.value === `${NS.syndb}tag`)) {
        const spec = tagSpecs.get(r.o.value);
        const p = ctx.iris.parse(r.g.value);
        if (spec && p && out.has(spec)) add(p.id, spec);
      }
      const labels = await labelsOf(ctx.store, ctx.iris, rows.filter((r) => r.o.type === 'uri').map((r) => r.o.value));
      const facet: Record<string, [string, string]> = { [`${NS.syndb}species`]: ['species', 'Species'], [`${NS.syndb}brainRegion`]: ['region', 'Brain region'], [`${NS.syndb}microscopyMethod`]: ['method', 'Microscopy method'] };
      for (const r of rows) {
        if (!facet[r.p.value]) continue;
        const [kind, title] = facet[r.p.value];
        const local = r.o.value.replace(/^.*[/#]/, '');
        if (!/^[A-Za-z0-9\-_.!~*'()]+$/.test(local)) continue;
        const spec = `${kind}:${local}`;
        if (!out.has(kind)) out.set(kind, { spec: kind, name: title });
        if (!out.has(spec)) out.set(spec, { spec, name: `${title}: ${labels.get(r.o.value)?.label ?? local}`, description: r.o.value });
        const p = ctx.iris.parse(r.g.value);
        if (p) add(p.id, spec);
      }
    }
    return { sets: [...out.values()].sort((a, b) => a.spec.localeCompare(b.spec)), members };
  })());
  return {
    name: ctx.publisher,
    baseUrl: `${ctx.iris.base}/oai`,
    adminEmail: envString('SYNDB_ADMIN_EMAIL') || `admin@${host}`,
    identifierPrefix: prefix,
    repositoryIdentifier: /^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$/.test(host) ? host : undefined,
    items: () => (items ??= (async () => {
      const entries = publicEntries(ctx.catalog);
      const prov = await provenanceTimes(ctx.store, entries.map((e) => `${ctx.iris.concept(e.id)}/provenance`));
      const { members } = await loadSets();
      const withDoi = await itemsWithDoi(ctx, entries);
      return entries.map((e) => ({
        identifier: prefix + e.id,
        datestamp: datestamp(datasetModified(prov, ctx.iris, e) ?? '1970-01-01T00:00:00Z'),
        sets: (members.get(e.id) ?? []).sort(),
        formats: withDoi.has(e.id) ? ['oai_dc' as const, 'oai_datacite' as const] : ['oai_dc' as const],
      })).sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
    })()),
    withoutMetadata: async (identifier) => {
      if (!identifier.startsWith(prefix)) return false;
      const e = ctx.catalog.entries.get(identifier.slice(prefix.length));
      return !!e && ctx.catalog.isPublic(e) && e.versions.length > 0 && ctx.catalog.latest(e) === undefined;
    },
    sets: async () => (await loadSets()).sets,
    metadata: async (identifier) => conceptMetadata(ctx, ctx.catalog.entries.get(identifier.slice(prefix.length))!),
  };
}

/**
 * The datasets whose OAI item (the concept, described by its latest version: conceptMetadata) has a
 * DOI: a registered concept DOI that resolves, or the dataset's own DOI (syndb:doi of the latest version).
 */
async function itemsWithDoi(ctx: MetadataDeps, entries: DatasetEntry[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (!entries.length) return out;
  const recs = await doiRecords(ctx.store, entries.map((e) => ctx.iris.concept(e.id)));
  for (const e of entries) if (resolves(recs.get(ctx.iris.concept(e.id)))) out.add(e.id);
  const latest = entries.map((e) => ctx.iris.version(e.id, ctx.catalog.latest(e)!));
  const rows = await ctx.store.select(`SELECT ?g WHERE { GRAPH ?g { ?g <${NS.syndb}doi> ?d } VALUES ?g { ${latest.map(sparqlIri).join(' ')} } }`);
  for (const r of rows) { const p = ctx.iris.parse(r.g.value); if (p) out.add(p.id); }
  return out;
}
