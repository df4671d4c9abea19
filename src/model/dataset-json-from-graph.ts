/**
 * The Dataset JSON (docs/dataset-json.md) of a stored dataset description: the inverse of
 * dataset-json.ts, so that `datasetJsonToRdf(datasetJsonFromGraph(g))` gives g again (up to blank
 * node / skolem names). Controlled terms are written as their full IRIs (which the upload form
 * accepts). `unmapped` names the statements the JSON form cannot carry (e.g. extra properties of a
 * Turtle upload): a change made through the JSON form would drop them.
 */
import type { Quad } from '../util/rdf.js';
import { NS } from './namespaces.js';
import { ACCESS, splitPersonName } from './dataset-json.js';
import { COMPARTMENTS, compartmentConcept } from './compartment-names.js';

type Json = Record<string, unknown>;

/** Statements of a published version (or the service) that the JSON form does not carry and need not. */
const MANAGED = new Set([
  `${NS.dcterms}isVersionOf`, `${NS.dcterms}subject`, `${NS.dcat}version`, `${NS.schema}version`, `${NS.dcterms}issued`,
  `${NS.adms}versionNotes`, `${NS.dcat}previousVersion`, `${NS.prov}wasRevisionOf`,
]);

export interface FromGraphResult { json: Json; unmapped: Quad[] }

export function datasetJsonFromGraph(quads: readonly Quad[], subject: string, opts: { id: string; conceptId?: (iri: string) => string | undefined }): FromGraphResult {
  const used = new Set<Quad>();
  const of = (s: string, p: string) => quads.filter((q) => q.subject.value === s && q.predicate.value === p);
  const values = (s: string, p: string) => of(s, p).map((q) => { used.add(q); return q.object.value; });
  const one = (s: string, p: string) => values(s, p)[0];
  const types = (s: string) => values(s, `${NS.rdf}type`);
  const P = (ns: keyof typeof NS, l: string) => NS[ns] + l;
  const out: Json = { id: opts.id };

  types(subject);
  for (const [field, p] of [['title', P('dcterms', 'title')], ['description', P('dcterms', 'description')], ['label', P('rdfs', 'label')], ['notes', P('skos', 'note')], ['strain', P('syndb', 'strain')]] as const) {
    const v = one(subject, p);
    if (v !== undefined) out[field] = v;
  }

  // creators, by position
  const attributions = values(subject, P('prov', 'qualifiedAttribution')).map((a) => {
    types(a); values(a, P('dcat', 'hadRole'));
    return { pos: Number(one(a, P('schema', 'position')) ?? Number.MAX_SAFE_INTEGER), agent: one(a, P('prov', 'agent')) };
  }).filter((a) => a.agent).sort((a, b) => a.pos - b.pos);
  values(subject, P('dcterms', 'creator'));
  out.creators = attributions.map(({ agent }) => {
    const a = agent!;
    const t = types(a);
    const org = t.includes(P('schema', 'Organization')) || t.includes(P('foaf', 'Organization'));
    const name = one(a, P('schema', 'name')) ?? a;
    const c: Json = { name };
    if (org) c.type = 'Organization';
    if (a.startsWith(NS.orcid)) c.orcid = a.slice(NS.orcid.length);
    if (a.startsWith(NS.ror)) c.ror = a.slice(NS.ror.length);
    const family = one(a, P('schema', 'familyName'));
    const given = one(a, P('schema', 'givenName'));
    if (!org) {
      const split = splitPersonName(name);
      if (family !== undefined && family !== split.family) c.familyName = family;
      if (given !== undefined && given !== split.given) c.givenName = given;
    }
    const aff = one(a, P('schema', 'affiliation'));
    if (aff) {
      types(aff);
      const affName = one(aff, P('schema', 'name')) ?? aff;
      c.affiliation = aff.startsWith(NS.ror) ? { name: affName, ror: aff.slice(NS.ror.length) } : affName;
    }
    return c;
  });

  for (const [field, p] of [['license', P('dcterms', 'license')], ['species', P('syndb', 'species')], ['brainRegion', P('syndb', 'brainRegion')], ['microscopyMethod', P('syndb', 'microscopyMethod')]] as const) {
    const v = one(subject, p);
    if (v !== undefined) out[field] = v;
  }

  const specimens = values(subject, P('syndb', 'specimen')).map((n) => {
    const sp: Json = {};
    if (types(n).includes(P('syndb', 'TissueSample'))) sp.type = 'tissue';
    const sid = one(n, P('dcterms', 'identifier'));
    if (sid !== undefined) sp.id = sid;
    for (const f of ['sex', 'age', 'genotype', 'strain', 'species'] as const) {
      const v = one(n, P('syndb', f));
      if (v !== undefined) sp[f] = v;
    }
    return sp;
  });
  if (specimens.length) out.specimens = specimens;

  const manipulations = values(subject, P('syndb', 'geneticManipulation')).map((n) => {
    types(n);
    return { gene: one(n, P('syndb', 'gene')), expression: one(n, P('syndb', 'expressionKind')) };
  });
  if (manipulations.length) out.geneticManipulations = manipulations;

  out.compartments = values(subject, P('syndb', 'compartment')).map((c) => COMPARTMENTS.find((x) => compartmentConcept(x.slug) === c)?.slug ?? c);

  const doi = one(subject, P('syndb', 'doi'));
  const publication = (node: string, relation?: string) => {
    types(node);
    const p: Json = { doi: one(node, P('dcterms', 'identifier')) ?? decodeURIComponent(node.slice(NS.doi.length)) };
    if (relation) p.relation = relation;
    const title = one(node, P('dcterms', 'title'));
    if (title !== undefined) p.title = title;
    const year = one(node, P('schema', 'datePublished'));
    if (year !== undefined) p.year = Number(year);
    return p;
  };
  const publications = [
    ...values(subject, P('dcterms', 'isReferencedBy')).map((n) => publication(n)),
    ...values(subject, P('dcterms', 'references')).map((n) => publication(n, 'references')),
  ];
  if (publications.length) out.publications = publications;

  const literals = (p: string) => values(subject, p);
  const keywords = literals(P('dcat', 'keyword'));
  if (keywords.length) out.keywords = keywords;
  const tags = literals(P('syndb', 'tag'));
  if (tags.length) out.tags = tags;
  const identifiers = literals(P('dcterms', 'identifier')).filter((i) => i !== doi);
  if (identifiers.length) out.identifiers = identifiers;
  if (doi !== undefined) out.doi = doi;

  // source tables (listed), and derivations (tables, external sources, datasets, DOIs, URLs)
  const tableOf = (n: string): Json => {
    types(n);
    const t: Json = { name: one(n, P('schema', 'name')) };
    const system = one(n, P('syndb', 'sourceSystem'));
    if (system !== undefined) t.system = system;
    for (const [f, p] of [['version', 'materializationVersion'], ['rowCount', 'rowCount']] as const) {
      const v = one(n, P('syndb', p));
      if (v !== undefined) t[f] = Number(v);
    }
    const ts = one(n, P('syndb', 'materializationTimestamp'));
    if (ts !== undefined) t.timestamp = ts;
    const desc = one(n, P('dcterms', 'description'));
    if (desc !== undefined) t.description = desc;
    const sup = one(n, P('dcterms', 'isReplacedBy'));
    if (sup !== undefined) t.supersededBy = sup;
    const ref = one(n, P('syndb', 'referenceTable'));
    if (ref !== undefined) t.referenceTable = ref;
    return t;
  };
  const listed = values(subject, P('syndb', 'sourceTable'));
  if (listed.length) out.sourceTables = listed.map(tableOf);
  const derivedFrom = values(subject, P('prov', 'wasDerivedFrom')).map((n): unknown => {
    const t = quads.filter((q) => q.subject.value === n && q.predicate.value === `${NS.rdf}type`).map((q) => q.object.value);
    if (t.includes(P('syndb', 'SourceTable'))) {
      const { name, ...rest } = tableOf(n);
      return listed.includes(n) ? { sourceTable: name, ...(rest.version !== undefined ? { version: rest.version } : {}) } : { sourceTable: name, ...rest };
    }
    const isDoiNode = n.startsWith(NS.doi);
    const target = isDoiNode ? decodeURIComponent(n.slice(NS.doi.length)) : n;
    if (t.includes(P('prov', 'Entity'))) {
      types(n);
      const title = one(n, P('dcterms', 'title'));
      return { [isDoiNode ? 'doi' : 'url']: target, ...(title !== undefined ? { title } : {}) };
    }
    return opts.conceptId?.(n) ?? target;
  });
  if (derivedFrom.length) out.derivedFrom = derivedFrom;

  const access = one(subject, P('dcterms', 'accessRights'));
  out.access = (Object.entries(ACCESS).find(([, v]) => v === access)?.[0]) ?? 'private';
  const embargo = one(subject, P('syndb', 'embargoEndDate'));
  if (embargo !== undefined) out.embargoEndDate = embargo;

  for (const q of quads) if (MANAGED.has(q.predicate.value) && q.subject.value === subject) used.add(q);
  return { json: out, unmapped: quads.filter((q) => !used.has(q)) };
}
