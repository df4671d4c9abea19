/**
 * The simple upload form (docs/dataset-json.md) -> RDF, as docs/graph-model.md describes.
 * Nested nodes are blank nodes here; the ingest pipeline canonicalises and skolemises them.
 * Every problem is collected (never only the first), with the JSON path of the field.
 */
import type { Quad } from '../util/rdf.js';
import { df, iri, lit, typed, RDF_TYPE } from '../util/rdf.js';
import { NS } from './namespaces.js';
import type { Problem } from './problems.js';
import { findCompartment, compartmentConcept, COMPARTMENTS } from './compartment-names.js';
import { SLUG } from './iris.js';
import { DATASET_FIELDS } from './generated/dataset-fields.js';
import type { DatasetField } from './dataset-field.js';

export type VocabularyKind = 'brainRegion' | 'species' | 'microscopyMethod' | 'expressionKind' | 'license';

export interface TermResolver {
  resolve(kind: VocabularyKind, input: string): { iri: string } | { error: string; suggestions: { iri: string; label: string; curie?: string }[] };
}

const P = {
  type: RDF_TYPE,
  title: iri(NS.dcterms + 'title'), description: iri(NS.dcterms + 'description'),
  creator: iri(NS.dcterms + 'creator'), license: iri(NS.dcterms + 'license'),
  identifier: iri(NS.dcterms + 'identifier'), isReferencedBy: iri(NS.dcterms + 'isReferencedBy'),
  references: iri(NS.dcterms + 'references'), accessRights: iri(NS.dcterms + 'accessRights'),
  keyword: iri(NS.dcat + 'keyword'), hadRole: iri(NS.dcat + 'hadRole'),
  qualifiedAttribution: iri(NS.prov + 'qualifiedAttribution'), agent: iri(NS.prov + 'agent'),
  wasDerivedFrom: iri(NS.prov + 'wasDerivedFrom'),
  name: iri(NS.schema + 'name'), familyName: iri(NS.schema + 'familyName'), givenName: iri(NS.schema + 'givenName'),
  affiliation: iri(NS.schema + 'affiliation'), position: iri(NS.schema + 'position'),
  datePublished: iri(NS.schema + 'datePublished'), sameAs: iri(NS.owl + 'sameAs'), note: iri(NS.skos + 'note'),
  label: iri(NS.rdfs + 'label'),
  s: (local: string) => iri(NS.syndb + local),
};

const T = {
  agent: iri(NS.prov + 'Agent'), attribution: iri(NS.prov + 'Attribution'),
  person: [iri(NS.foaf + 'Person'), iri(NS.schema + 'Person')],
  org: [iri(NS.foaf + 'Organization'), iri(NS.schema + 'Organization')],
  article: iri(NS.schema + 'ScholarlyArticle'),
};

export const CREATOR_ROLE = `${NS.syndbv}role/creator`;
export const ACCESS = { public: NS.ar + 'PUBLIC', private: NS.ar + 'NON_PUBLIC', embargoed: NS.ar + 'RESTRICTED' } as const;
export type AccessLevel = keyof typeof ACCESS;

const DOI_RE = /^10\.\d{4,9}\/\S+$/;
/** "doi:10.1/x", "https://doi.org/10.1/x", "10.1/x" -> "10.1/x" (not validated). */
export function normalizeDoi(s: string): string {
  return s.trim().replace(/^(doi:|https?:\/\/(dx\.)?doi\.org\/)/i, '');
}
export const isDoi = (s: string) => DOI_RE.test(s);
export const doiIri = (doi: string) => `${NS.doi}${doi.replace(/[\s<>"{}|^`\\]/g, encodeURIComponent)}`;

/** ORCID iD check digit (ISO 7064 MOD 11-2). */
export function orcidValid(id: string): boolean {
  const m = /^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$/.exec(id);
  if (!m) return false;
  const digits = id.replace(/-/g, '');
  let total = 0;
  for (const ch of digits.slice(0, 15)) total = (total + Number(ch)) * 2;
  const check = (12 - (total % 11)) % 11;
  return digits[15] === (check === 10 ? 'X' : String(check));
}

const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'la', 'le', 'du', 'da', 'di', 'del', 'dos', 'ten', 'ter', 'zu', 'af', 'al', 'bin', 'ibn']);
/** "Family, Given" or "Given [particles] Family" -> parts. */
export function splitPersonName(name: string): { family: string; given?: string } {
  const n = name.trim().replace(/\s+/g, ' ');
  const comma = n.indexOf(',');
  if (comma > 0) return { family: n.slice(0, comma).trim(), given: n.slice(comma + 1).trim() || undefined };
  const parts = n.split(' ');
  if (parts.length === 1) return { family: n };
  let i = parts.length - 1;
  while (i > 1 && PARTICLES.has(parts[i - 1].toLowerCase())) i--;
  return { family: parts.slice(i).join(' '), given: parts.slice(0, i).join(' ') };
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The field at a dotted JSON path ("creators.name"), from the shapes (src/model/generated/dataset-fields.ts). */
function fieldAt(path: string): DatasetField {
  let fields: readonly DatasetField[] | undefined = DATASET_FIELDS;
  let f: DatasetField | undefined;
  for (const key of path.split('.')) { f = fields?.find((x) => x.key === key); fields = f?.fields; }
  if (!f) throw new Error(`no Dataset JSON field ${path} in the shapes`);
  return f;
}
/** Whether the shapes require the field (sh:minCount >= 1, no default). */
const isRequired = (path: string) => fieldAt(path).required;

/** Every top-level key of the Dataset JSON (from the shapes; src/model/generated/dataset-fields.ts). */
const KNOWN_FIELDS = new Set(DATASET_FIELDS.map((f) => f.key));

export interface DatasetJsonResult {
  id?: string;
  access: AccessLevel;
  quads: Quad[];
  problems: Problem[];
}

export interface ConvertOptions {
  /** The IRI of the dataset node (the draft graph IRI). */
  subject: string;
  vocabulary: TermResolver;
  /** Maps a bare dataset id in derivedFrom to its concept IRI. */
  conceptIri: (id: string) => string;
}

/** Convert the JSON upload form to triples about `subject` (default graph). */
export function datasetJsonToRdf(input: unknown, opt: ConvertOptions): DatasetJsonResult {
  const problems: Problem[] = [];
  const quads: Quad[] = [];
  const D = iri(opt.subject);
  const add = (s: Quad['subject'], p: Quad['predicate'], o: Quad['object']) => quads.push(df.quad(s, p, o));
  const problem = (path: string, message: string, value?: unknown, extra?: Partial<Problem>) =>
    problems.push({ path, message, value: value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value), severity: 'Violation', focusNode: opt.subject, ...extra });

  if (!isObj(input)) {
    problem('$', 'the body must be a JSON object describing one dataset (see docs/dataset-json.md or GET /schemas/dataset.schema.json)', input);
    return { access: 'public', quads, problems };
  }
  const j = input;
  for (const k of Object.keys(j)) {
    if (!KNOWN_FIELDS.has(k)) {
      const close = [...KNOWN_FIELDS].find((f) => f.toLowerCase() === k.toLowerCase() || f.toLowerCase().startsWith(k.toLowerCase().slice(0, 5)));
      problem(k, `unknown field "${k}"${close ? `; did you mean "${close}"?` : ''}`, undefined, { severity: 'Violation' });
    }
  }

  const str = (field: string, v: unknown, required: boolean): string | undefined => {
    if (v === undefined || v === null || v === '') {
      if (required) problem(field, `${field} is required`);
      return undefined;
    }
    if (typeof v !== 'string') { problem(field, `${field} must be a string`, v); return undefined; }
    return v.trim();
  };
  const list = (field: string, v: unknown): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) { problem(field, `${field} must be a list`, v); return []; }
    return v;
  };
  const term = (field: string, kind: VocabularyKind, v: unknown, required = true) => {
    const s = str(field, v, required);
    if (s === undefined) return undefined;
    const r = opt.vocabulary.resolve(kind, s);
    if ('iri' in r) return r.iri;
    problem(field, r.error, s, { suggestions: r.suggestions });
    return undefined;
  };

  // id
  let id: string | undefined;
  if (j.id !== undefined) {
    if (typeof j.id !== 'string' || !SLUG.test(j.id)) problem('id', 'id must be 2-63 characters of lower-case letters, digits and "-", starting with a letter or digit', j.id);
    else id = j.id;
  }

  for (const t of [iri(NS.dcat + 'Dataset'), iri(NS.schema + 'Dataset'), P.s('DatasetVersion')]) add(D, P.type, t);
  const title = str('title', j.title, isRequired('title'));
  if (title) add(D, P.title, lit(title));
  const description = str('description', j.description, isRequired('description'));
  if (description) add(D, P.description, lit(description));
  const label = str('label', j.label, isRequired('label'));
  if (label) add(D, P.label, lit(label));
  const notes = str('notes', j.notes, isRequired('notes'));
  if (notes) add(D, P.note, lit(notes));

  // creators, in order
  const creators = list('creators', j.creators);
  if (creators.length === 0 && !problems.some((p) => p.path === 'creators')) problem('creators', 'at least one creator is required: [{"name": "Family, Given", "orcid": "0000-0000-0000-0000"}]');
  creators.forEach((c, i) => {
    const at = `creators[${i}]`;
    const entry = typeof c === 'string' ? { name: c } : c;
    if (!isObj(entry)) { problem(at, 'a creator must be an object like {"name": "Family, Given"} or a name string', c); return; }
    const name = str(`${at}.name`, entry.name, isRequired('creators.name'));
    if (!name) return;
    const kind = entry.type ?? 'Person';
    if (kind !== 'Person' && kind !== 'Organization') { problem(`${at}.type`, 'type must be "Person" or "Organization"', kind); return; }
    let agent: Quad['subject'] = df.blankNode();
    if (entry.orcid !== undefined) {
      const o = typeof entry.orcid === 'string' ? entry.orcid.trim().replace(/^https?:\/\/orcid\.org\//, '') : '';
      if (kind !== 'Person') problem(`${at}.orcid`, 'an ORCID identifies a person; organisations take "ror"', entry.orcid);
      else if (!orcidValid(o)) problem(`${at}.orcid`, 'not a valid ORCID iD (expected 0000-0000-0000-000X with a correct check digit)', entry.orcid);
      else agent = iri(NS.orcid + o);
    }
    if (entry.ror !== undefined) {
      const r = typeof entry.ror === 'string' ? entry.ror.trim().replace(/^https?:\/\/ror\.org\//, '') : '';
      if (kind !== 'Organization') problem(`${at}.ror`, 'a ROR id identifies an organisation; use "affiliation": {"name": ..., "ror": ...} for a person', entry.ror);
      else if (!/^0[a-hj-km-np-tv-z0-9]{6}\d{2}$/.test(r)) problem(`${at}.ror`, 'not a ROR id (expected 9 characters like 00f54p054)', entry.ror);
      else agent = iri(NS.ror + r);
    }
    add(agent, P.type, T.agent);
    for (const t of kind === 'Person' ? T.person : T.org) add(agent, P.type, t);
    add(agent, P.name, lit(name));
    if (kind === 'Person') {
      const parts = splitPersonName(name);
      const family = typeof entry.familyName === 'string' ? entry.familyName : parts.family;
      const given = typeof entry.givenName === 'string' ? entry.givenName : parts.given;
      add(agent, P.familyName, lit(family));
      if (given) add(agent, P.givenName, lit(given));
    }
    if (entry.affiliation !== undefined) {
      const aff = typeof entry.affiliation === 'string' ? { name: entry.affiliation } : entry.affiliation;
      if (!isObj(aff) || typeof aff.name !== 'string') problem(`${at}.affiliation`, 'affiliation must be a name or {"name": ..., "ror": ...}', entry.affiliation);
      else {
        let org: Quad['subject'] = df.blankNode();
        if (typeof aff.ror === 'string') {
          const r = aff.ror.trim().replace(/^https?:\/\/ror\.org\//, '');
          if (!/^0[a-hj-km-np-tv-z0-9]{6}\d{2}$/.test(r)) problem(`${at}.affiliation.ror`, 'not a ROR id (expected 9 characters like 00f54p054)', aff.ror);
          else org = iri(NS.ror + r);
        }
        for (const t of T.org) add(org, P.type, t);
        add(org, P.name, lit(aff.name.trim()));
        add(agent, P.affiliation, org);
      }
    }
    add(D, P.creator, agent);
    const attribution = df.blankNode();
    add(D, P.qualifiedAttribution, attribution);
    add(attribution, P.type, T.attribution);
    add(attribution, P.agent, agent);
    add(attribution, P.hadRole, iri(CREATOR_ROLE));
    add(attribution, P.position, typed(i + 1, 'integer'));
  });

  const license = term('license', 'license', j.license, isRequired('license'));
  if (license) add(D, P.license, iri(license));
  const species = term('species', 'species', j.species, isRequired('species'));
  if (species) add(D, P.s('species'), iri(species));
  const region = term('brainRegion', 'brainRegion', j.brainRegion, isRequired('brainRegion'));
  if (region) add(D, P.s('brainRegion'), iri(region));
  const method = term('microscopyMethod', 'microscopyMethod', j.microscopyMethod, isRequired('microscopyMethod'));
  if (method) add(D, P.s('microscopyMethod'), iri(method));
  const strain = str('strain', j.strain, isRequired('strain'));
  if (strain) add(D, P.s('strain'), lit(strain));

  list('specimens', j.specimens).forEach((sp, i) => {
    const at = `specimens[${i}]`;
    if (!isObj(sp)) { problem(at, 'a specimen must be an object like {"id": "M_0001", "sex": "M", "age": "P28"}', sp); return; }
    const node = df.blankNode();
    const kind = sp.type === 'tissue' ? 'TissueSample' : 'AnimalSubject';
    if (sp.type !== undefined && sp.type !== 'tissue' && sp.type !== 'animal') problem(`${at}.type`, 'type must be "animal" (default) or "tissue"', sp.type);
    add(D, P.s('specimen'), node);
    add(node, P.type, P.s(kind));
    const sid = str(`${at}.id`, sp.id, isRequired('specimens.id'));
    if (sid) add(node, P.identifier, lit(sid));
    for (const [field, prop] of [['sex', 'sex'], ['age', 'age'], ['genotype', 'genotype'], ['strain', 'strain']] as const) {
      const v = str(`${at}.${field}`, sp[field], isRequired(`specimens.${field}`));
      if (v) add(node, P.s(prop), lit(v));
    }
    if (sp.species !== undefined) {
      const t = term(`${at}.species`, 'species', sp.species);
      if (t) add(node, P.s('species'), iri(t));
    }
  });

  list('geneticManipulations', j.geneticManipulations).forEach((g, i) => {
    const at = `geneticManipulations[${i}]`;
    if (!isObj(g)) { problem(at, 'a genetic manipulation must be an object like {"gene": "Baz1a", "expression": "knock-out"}', g); return; }
    const node = df.blankNode();
    add(D, P.s('geneticManipulation'), node);
    add(node, P.type, P.s('GeneticManipulation'));
    const gene = str(`${at}.gene`, g.gene, isRequired('geneticManipulations.gene'));
    if (gene) add(node, P.s('gene'), lit(gene));
    const kind = term(`${at}.expression`, 'expressionKind', g.expression, isRequired('geneticManipulations.expression'));
    if (kind) add(node, P.s('expressionKind'), iri(kind));
  });

  const compartments = list('compartments', j.compartments);
  if (compartments.length === 0 && !problems.some((p) => p.path === 'compartments')) problem('compartments', `at least one compartment table is required; one of: ${COMPARTMENTS.map((c) => c.slug).join(', ')}`);
  compartments.forEach((c, i) => {
    const found = typeof c === 'string' ? findCompartment(c) : undefined;
    if (!found) problem(`compartments[${i}]`, `unknown compartment; expected one of: ${COMPARTMENTS.map((x) => x.slug).join(', ')}`, c);
    else add(D, P.s('compartment'), iri(compartmentConcept(found.slug)));
  });

  list('publications', j.publications).forEach((p, i) => {
    const at = `publications[${i}]`;
    const entry = typeof p === 'string' ? { doi: p } : p;
    if (!isObj(entry)) { problem(at, 'a publication must be {"doi": "10.…"}', p); return; }
    const raw = str(`${at}.doi`, entry.doi, isRequired('publications.doi'));
    if (!raw) return;
    const doi = normalizeDoi(raw);
    if (!isDoi(doi)) { problem(`${at}.doi`, 'not a DOI: expected 10.<registrant>/<suffix>, e.g. 10.1126/science.aay3134', raw); return; }
    const relation = entry.relation ?? 'isSupplementTo';
    if (relation !== 'isSupplementTo' && relation !== 'references') { problem(`${at}.relation`, 'relation must be "isSupplementTo" (the article these data belong to) or "references" (a related paper, e.g. a method)', relation); return; }
    const pub = iri(doiIri(doi));
    add(D, relation === 'references' ? P.references : P.isReferencedBy, pub);
    add(pub, P.type, T.article);
    add(pub, P.identifier, lit(doi));
    const ptitle = str(`${at}.title`, entry.title, isRequired('publications.title'));
    if (ptitle) add(pub, P.title, lit(ptitle));
    if (entry.year !== undefined) {
      if (typeof entry.year !== 'number' || !Number.isInteger(entry.year) || entry.year < 1600 || entry.year > 2999) problem(`${at}.year`, 'year must be a four-digit number', entry.year);
      else add(pub, P.datePublished, typed(entry.year, 'gYear'));
    }
  });

  for (const k of list('keywords', j.keywords)) {
    if (typeof k === 'string' && k.trim()) add(D, P.keyword, lit(k.trim()));
    else problem('keywords', 'keywords must be non-empty strings', k);
  }
  for (const t of list('tags', j.tags)) {
    if (typeof t === 'string' && t.trim()) add(D, P.s('tag'), lit(t.trim()));
    else problem('tags', 'tags must be non-empty strings', t);
  }
  for (const t of list('identifiers', j.identifiers)) {
    if (typeof t === 'string' && t.trim()) add(D, P.identifier, lit(t.trim()));
    else problem('identifiers', 'identifiers must be non-empty strings', t);
  }
  if (j.doi !== undefined) {
    const raw = str('doi', j.doi, isRequired('doi'));
    if (raw) {
      const doi = normalizeDoi(raw);
      add(D, P.s('doi'), lit(doi));
      add(D, P.identifier, lit(doi));
    }
  }

  // source tables (CAVE), keyed by name@version so derivedFrom can point at them
  const sourceNodes = new Map<string, ReturnType<typeof df.blankNode>>();
  const sourceNode = (name: string, version: unknown) => {
    const key = `${name}@${version ?? ''}`;
    let n = sourceNodes.get(key);
    if (!n) { n = df.blankNode(); sourceNodes.set(key, n); }
    return n;
  };
  const describeSourceTable = (n: Quad['subject'], t: Json, at: string) => {
    add(n, P.type, P.s('SourceTable'));
    add(n, P.name, lit(String(t.name ?? t.sourceTable)));
    const system = str(`${at}.system`, t.system, false);
    if (system) add(n, P.s('sourceSystem'), lit(system));
    if (t.version !== undefined) {
      if (typeof t.version !== 'number' || !Number.isInteger(t.version) || t.version < 0) problem(`${at}.version`, 'version must be a whole number (the materialization version)', t.version);
      else add(n, P.s('materializationVersion'), typed(t.version, 'integer'));
    }
    if (t.timestamp !== undefined) {
      if (typeof t.timestamp !== 'string' || Number.isNaN(Date.parse(t.timestamp))) problem(`${at}.timestamp`, 'timestamp must be an ISO 8601 date-time like 2021-06-11T08:10:00.215114Z', t.timestamp);
      else add(n, P.s('materializationTimestamp'), typed(t.timestamp, 'dateTime'));
    }
    if (t.rowCount !== undefined) {
      if (typeof t.rowCount !== 'number' || !Number.isInteger(t.rowCount) || t.rowCount < 0) problem(`${at}.rowCount`, 'rowCount must be a whole number', t.rowCount);
      else add(n, P.s('rowCount'), typed(t.rowCount, 'integer'));
    }
    const desc = str(`${at}.description`, t.description, false);
    if (desc) add(n, P.description, lit(desc));
    const sup = str(`${at}.supersededBy`, t.supersededBy, false);
    if (sup) add(n, iri(NS.dcterms + 'isReplacedBy'), lit(sup));
    const ref = str(`${at}.referenceTable`, t.referenceTable, false);
    if (ref) add(n, P.s('referenceTable'), lit(ref));
  };

  list('sourceTables', j.sourceTables).forEach((t, i) => {
    const at = `sourceTables[${i}]`;
    if (!isObj(t)) { problem(at, 'a source table must be {"name": ..., "system": "CAVE", "version": 117, "timestamp": ...}', t); return; }
    const name = str(`${at}.name`, t.name, isRequired('sourceTables.name'));
    if (!name) return;
    const n = sourceNode(name, t.version);
    add(D, P.s('sourceTable'), n);
    describeSourceTable(n, t, at);
  });
  list('derivedFrom', j.derivedFrom).forEach((d, i) => {
    const at = `derivedFrom[${i}]`;
    if (isObj(d) && typeof d.sourceTable === 'string') {
      const known = [...sourceNodes.keys()].some((k) => k === `${d.sourceTable}@${d.version ?? ''}`);
      const n = sourceNode(d.sourceTable, d.version);
      if (!known) describeSourceTable(n, { ...d, name: d.sourceTable }, at);
      add(D, P.wasDerivedFrom, n);
      return;
    }
    if (isObj(d) && (typeof d.url === 'string' || typeof d.doi === 'string')) {
      // an external source with a name: {"url": "https://…", "title": "EM volume"} or {"doi": "10.…", "title": …}
      const target = typeof d.doi === 'string' ? normalizeDoi(d.doi) : String(d.url).trim();
      if (typeof d.doi === 'string' ? !isDoi(target) : !/^https?:\/\/\S+$/.test(target)) { problem(at, typeof d.doi === 'string' ? 'not a DOI: expected 10.<registrant>/<suffix>' : 'url must be an http(s) URL', target); return; }
      const node = iri(typeof d.doi === 'string' ? doiIri(target) : target);
      add(D, P.wasDerivedFrom, node);
      add(node, P.type, iri(NS.prov + 'Entity'));
      const title = str(`${at}.title`, d.title, false);
      if (title) add(node, P.title, lit(title));
      return;
    }
    if (typeof d !== 'string' || !d.trim()) { problem(at, 'derivedFrom entries are a dataset id, a DOI, a URL, {"url"|"doi": ..., "title": ...}, or {"sourceTable": ..., "version": ...}', d); return; }
    const v = d.trim();
    const doi = normalizeDoi(v);
    if (isDoi(doi)) add(D, P.wasDerivedFrom, iri(doiIri(doi)));
    else if (/^https?:\/\/\S+$/.test(v)) add(D, P.wasDerivedFrom, iri(v));
    else if (SLUG.test(v)) add(D, P.wasDerivedFrom, iri(opt.conceptIri(v)));
    else problem(at, 'not a dataset id, DOI or http(s) URL', v);
  });

  let access: AccessLevel = 'public';
  if (j.access !== undefined) {
    if (j.access === 'public' || j.access === 'private' || j.access === 'embargoed') access = j.access;
    else problem('access', 'access must be "public", "private" or "embargoed"', j.access);
  }
  add(D, P.accessRights, iri(ACCESS[access]));
  if (j.embargoEndDate !== undefined) {
    if (typeof j.embargoEndDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(j.embargoEndDate)) problem('embargoEndDate', 'embargoEndDate must be a date like 2027-01-31', j.embargoEndDate);
    else add(D, P.s('embargoEndDate'), typed(j.embargoEndDate, 'date'));
  }
  if (access === 'embargoed' && j.embargoEndDate === undefined) problem('embargoEndDate', 'an embargoed dataset needs embargoEndDate (the date it becomes public)');

  return { id, access, quads, problems };
}

/** The JSON field a problem on an RDF property of the dataset node corresponds to (to merge JSON and SHACL problems); from the shapes. */
export const FIELD_OF_PROPERTY: Record<string, string> = Object.fromEntries(DATASET_FIELDS.flatMap((f) => f.paths.map((p) => [p, f.key])));
