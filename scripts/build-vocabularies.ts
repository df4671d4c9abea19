/**
 * Builds the controlled vocabularies (ontologies/vocab-*.ttl) from the reference ontologies
 * (Allen mouse + human atlas OBO, UBERON vertebrate-head OBO, UBERON-to-MBA bridge OWL) and the
 * curated lists in src/model/vocabulary-curated.ts. Output is deterministic: same inputs, same bytes.
 *
 *   npm run build && node dist/scripts/build-vocabularies.js [REFERENCE_DIR] [--out DIR]
 *
 * REFERENCE_DIR defaults to ../shared/reference/ontologies relative to the project root;
 * --out defaults to the project's ontologies/ folder.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import oxigraph from 'oxigraph';
import { NS } from '../src/model/namespaces.js';
import { packageRoot } from '../src/model/vocabulary-paths.js';
import {
  EXPRESSION_KINDS, HUMAN_SYNONYMS, HUMAN_TO_UBERON, LICENSES, METHODS, MOUSE_SYNONYMS, SPECIES, UBERON_LABELS, UBERON_EXTRA_TERMS,
  type CuratedConcept,
} from '../src/model/vocabulary-curated.js';

const SOURCES = {
  mba: 'allen-mouse-brain-atlas.obo',
  hba: 'allen-human-brain-atlas.obo',
  uberon: 'uberon-vertebrate-head.obo',
  bridge: 'uberon-bridge-to-mouse-brain-atlas.owl',
} as const;

const SCRIPT = 'scripts/build-vocabularies.ts';
const SCHEME = {
  brainRegions: `${NS.syndbv}brain-regions`,
  species: `${NS.syndbv}species`,
  methods: `${NS.syndbv}methods`,
  expression: `${NS.syndbv}expression-kinds`,
  licenses: `${NS.syndbv}licenses`,
};

// ---------------------------------------------------------------- OBO parsing

export interface OboTerm {
  id: string;
  name?: string;
  def?: string;
  namespace?: string;
  synonyms: Array<{ text: string; scope: string; type?: string }>;
  altIds: string[];
  isA: string[];
  partOf: string[];
  obsolete: boolean;
}

/** Unquote an OBO quoted string starting at s[0] === '"'; returns [text, rest]. */
function oboQuoted(s: string): [string, string] {
  let out = '';
  let i = 1;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) { const n = s[++i]; out += n === 'n' ? '\n' : n === 't' ? '\t' : n; continue; }
    if (c === '"') break;
    out += c;
  }
  return [out, s.slice(i + 1).trim()];
}

/** Strip trailing modifiers `{...}` and comments `! ...` from a tag value. */
function oboValue(v: string): { value: string; qualified: boolean } {
  let s = v;
  const bang = s.indexOf(' !');
  if (bang >= 0) s = s.slice(0, bang);
  let qualified = false;
  const brace = s.indexOf('{');
  if (brace >= 0) { qualified = true; s = s.slice(0, brace); }
  return { value: s.trim(), qualified };
}

/** Parse the [Term] stanzas of an OBO 1.2/1.4 flat file (enough of the format for these files). */
export function parseObo(text: string): OboTerm[] {
  const terms: OboTerm[] = [];
  let cur: OboTerm | undefined;
  let inTerm = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inTerm = line === '[Term]';
      if (inTerm) { cur = { id: '', synonyms: [], altIds: [], isA: [], partOf: [], obsolete: false }; terms.push(cur); } else cur = undefined;
      continue;
    }
    if (!inTerm || !cur || !line || line.startsWith('!')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const tag = line.slice(0, colon);
    const val = line.slice(colon + 1).trim();
    switch (tag) {
      case 'id': cur.id = oboValue(val).value; break;
      case 'name': cur.name = val; break;
      case 'namespace': cur.namespace = val; break;
      case 'def': if (val.startsWith('"')) cur.def = oboQuoted(val)[0]; break;
      case 'alt_id': cur.altIds.push(oboValue(val).value); break;
      case 'is_obsolete': cur.obsolete = val === 'true'; break;
      case 'synonym': {
        if (!val.startsWith('"')) break;
        const [textValue, rest] = oboQuoted(val);
        const parts = rest.replace(/\[.*$/, '').trim().split(/\s+/).filter(Boolean);
        cur.synonyms.push({ text: textValue, scope: parts[0] ?? 'RELATED', type: parts[1] });
        break;
      }
      case 'is_a': {
        const v = oboValue(val);
        if (!v.qualified && v.value) cur.isA.push(v.value);
        break;
      }
      case 'relationship': {
        const v = oboValue(val);
        const [rel, target] = v.value.split(/\s+/);
        if (!v.qualified && rel === 'part_of' && target) cur.partOf.push(target);
        break;
      }
      default: break;
    }
  }
  return terms.filter((t) => t.id);
}

// ---------------------------------------------------------------- bridge (OWL, RDF/XML)

export interface BridgeMapping {
  /** Allen mouse atlas CURIE, e.g. MBA:385 */
  mba: string;
  /** UBERON CURIEs the MBA term is equivalent to (bridge: MBA ≡ U ⊓ part_of some mouse). */
  exact: string[];
  /** UBERON CURIEs the MBA term is a kind of (bridge: MBA ≡/⊑ U ⊓ … with further restrictions). */
  broad: string[];
  /** UBERON CURIEs the MBA term is part of (bridge: … part_of some U). */
  partOf: string[];
}

const OWL = NS.owl;
const RDF = NS.rdf;
const RDFS = NS.rdfs;
const PART_OF = `${NS.obo}BFO_0000050`;
const MOUSE = `${NS.obo}NCBITaxon_10090`;
const MBAO = 'https://purl.brain-bican.org/ontology/mbao/MBA_';

type OxTerm = { termType: string; value: string };

/** Read the UBERON bridge and classify each MBA class's axioms (equivalence vs subclass). */
export function parseBridge(xml: string): { mappings: BridgeMapping[]; skipped: string[] } {
  const store = new oxigraph.Store();
  store.load(xml, { format: 'application/rdf+xml', base_iri: 'http://purl.obolibrary.org/obo/uberon/bridge/uberon-bridge-to-mba.owl' });
  const nn = (v: string) => oxigraph.namedNode(v);
  const objects = (s: OxTerm, p: string): OxTerm[] => store.match(s as never, nn(p), null, null).map((q) => q.object as OxTerm);
  const list = (head: OxTerm): OxTerm[] => {
    const out: OxTerm[] = [];
    let cur: OxTerm | undefined = head;
    while (cur && !(cur.termType === 'NamedNode' && cur.value === `${RDF}nil`)) {
      const first = objects(cur, `${RDF}first`)[0];
      if (first) out.push(first);
      cur = objects(cur, `${RDF}rest`)[0];
    }
    return out;
  };
  /** Flatten a class expression into atoms: named classes and part_of-some fillers. */
  const atoms = (e: OxTerm, acc: { classes: string[]; partOf: string[]; other: number }) => {
    if (e.termType === 'NamedNode') { acc.classes.push(e.value); return; }
    const inter = objects(e, `${OWL}intersectionOf`)[0];
    if (inter) { for (const m of list(inter)) atoms(m, acc); return; }
    const onP = objects(e, `${OWL}onProperty`)[0];
    const some = objects(e, `${OWL}someValuesFrom`)[0];
    if (onP?.value === PART_OF && some) {
      if (some.termType === 'NamedNode') acc.partOf.push(some.value);
      else acc.other++;
      return;
    }
    acc.other++;
  };
  const toCurie = (iri: string) => {
    const m = /^http:\/\/purl\.obolibrary\.org\/obo\/([A-Za-z]+)_(\w+)$/.exec(iri);
    return m ? `${m[1]}:${m[2]}` : undefined;
  };
  const byMba = new Map<string, BridgeMapping>();
  const skipped: string[] = [];
  const subjects = new Set<string>();
  for (const q of store.match(null, nn(`${RDF}type`), nn(`${OWL}Class`), null)) {
    if (q.subject.termType === 'NamedNode' && q.subject.value.startsWith(MBAO)) subjects.add(q.subject.value);
  }
  for (const s of [...subjects].sort()) {
    // The bridge has two IRIs with a stray encoded trailing space ("MBA_219%20"): read them as MBA_219.
    const local = decodeURIComponent(s.slice(MBAO.length)).trim();
    if (!/^\d+$/.test(local)) { skipped.push(s); continue; }
    const mba = `MBA:${local}`;
    const m = byMba.get(mba) ?? { mba, exact: [], broad: [], partOf: [] };
    byMba.set(mba, m);
    const subj = oxigraph.namedNode(s) as unknown as OxTerm;
    for (const [pred, isEquivalence] of [[`${OWL}equivalentClass`, true], [`${RDFS}subClassOf`, false]] as const) {
      for (const e of objects(subj, pred)) {
        const acc = { classes: [] as string[], partOf: [] as string[], other: 0 };
        atoms(e, acc);
        const partOf = acc.partOf.filter((p) => p !== MOUSE).map(toCurie).filter((x): x is string => !!x?.startsWith('UBERON:'));
        const classes = acc.classes.map(toCurie).filter((x): x is string => !!x?.startsWith('UBERON:'));
        if (acc.other > 0) { skipped.push(`${s} (unsupported class expression)`); continue; }
        // "MBA ≡ U ⊓ part_of some mouse": the mouse atlas term is the mouse's U → exact match.
        if (isEquivalence && classes.length === 1 && partOf.length === 0) m.exact.push(classes[0]);
        else m.broad.push(...classes);
        m.partOf.push(...partOf);
      }
    }
  }
  const mappings = [...byMba.values()].map((m) => ({
    mba: m.mba, exact: uniqSorted(m.exact), broad: uniqSorted(m.broad), partOf: uniqSorted(m.partOf),
  }));
  return { mappings: mappings.sort((a, b) => cmpCurie(a.mba, b.mba)), skipped };
}

// ---------------------------------------------------------------- Turtle writing

const PREFIXES: Array<[string, string]> = [
  ['dcterms', NS.dcterms], ['obo', NS.obo], ['owl', NS.owl], ['rdfs', NS.rdfs], ['skos', NS.skos],
  ['spdx', NS.spdx], ['syndb', NS.syndb], ['syndbv', NS.syndbv], ['xsd', NS.xsd],
];

type Obj = { iri: string } | { lit: string; lang?: string; dt?: string };
type Subject = { iri: string; props: Map<string, Obj[]> };

function uniqSorted(xs: string[]): string[] {
  return [...new Set(xs)].sort(cmpCurie);
}

/** Order CURIEs / IRIs naturally: prefix, then numeric local part, then string. */
function cmpCurie(a: string, b: string): number {
  const ra = /^(.*?)(\d+)$/.exec(a);
  const rb = /^(.*?)(\d+)$/.exec(b);
  if (ra && rb && ra[1] === rb[1]) return Number(ra[2]) - Number(rb[2]) || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeLiteral(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

function termIri(iri: string): string {
  for (const [p, ns] of PREFIXES) {
    if (iri.startsWith(ns)) {
      const local = iri.slice(ns.length);
      if (/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/.test(local)) return `${p}:${local}`;
    }
  }
  return `<${iri}>`;
}

function termObj(o: Obj): string {
  if ('iri' in o) return termIri(o.iri);
  const body = `"${escapeLiteral(o.lit)}"`;
  if (o.lang) return `${body}@${o.lang}`;
  if (o.dt) return `${body}^^${termIri(o.dt)}`;
  return body;
}

/** Predicate order inside a subject block. */
const PRED_ORDER = [
  `${RDF}type`, `${NS.skos}inScheme`, `${NS.skos}topConceptOf`, `${NS.skos}prefLabel`, `${RDFS}label`, `${NS.skos}altLabel`,
  `${NS.skos}hiddenLabel`, `${NS.skos}notation`, `${NS.skos}definition`, `${NS.skos}scopeNote`,
  `${NS.syndb}partOf`, `${NS.skos}broader`, `${NS.skos}exactMatch`, `${NS.skos}closeMatch`, `${NS.skos}broadMatch`,
];

class TurtleDoc {
  private subjects = new Map<string, Subject>();
  add(s: string, p: string, o: Obj): void {
    let subj = this.subjects.get(s);
    if (!subj) { subj = { iri: s, props: new Map() }; this.subjects.set(s, subj); }
    const list = subj.props.get(p) ?? [];
    const key = termObj(o);
    if (!list.some((x) => termObj(x) === key)) list.push(o);
    subj.props.set(p, list);
  }
  iri(s: string, p: string, o: string | undefined): void { if (o) this.add(s, p, { iri: o }); }
  lit(s: string, p: string, value: string | undefined, lang?: string): void { if (value !== undefined && value !== '') this.add(s, p, { lit: value, lang }); }
  has(s: string): boolean { return this.subjects.has(s); }
  size(): number { return this.subjects.size; }

  serialise(header: string[], schemeFirst: string): string {
    const out: string[] = header.map((l) => `# ${l}`.trimEnd());
    out.push('');
    for (const [p, ns] of PREFIXES) out.push(`@prefix ${p}: <${ns}> .`);
    const rank = (p: string) => { const i = PRED_ORDER.indexOf(p); return i < 0 ? PRED_ORDER.length : i; };
    const subjects = [...this.subjects.values()].sort((a, b) =>
      (a.iri === schemeFirst ? -1 : b.iri === schemeFirst ? 1 : cmpCurie(a.iri, b.iri)));
    for (const s of subjects) {
      out.push('');
      const preds = [...s.props.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
      const lines = preds.map((p) => {
        const objs = s.props.get(p)!.map(termObj).sort((a, b) => cmpCurie(a, b));
        const pred = p === `${RDF}type` ? 'a' : termIri(p);
        return `    ${pred} ${objs.join(' ,\n        ')}`;
      });
      out.push(`${termIri(s.iri)}\n${lines.join(' ;\n')} .`);
    }
    return `${out.join('\n')}\n`;
  }
}

// ---------------------------------------------------------------- building

const T = {
  type: `${RDF}type`, concept: `${NS.skos}Concept`, scheme: `${NS.skos}ConceptScheme`, inScheme: `${NS.skos}inScheme`,
  top: `${NS.skos}topConceptOf`, hasTop: `${NS.skos}hasTopConcept`, pref: `${NS.skos}prefLabel`, alt: `${NS.skos}altLabel`,
  hidden: `${NS.skos}hiddenLabel`, notation: `${NS.skos}notation`, definition: `${NS.skos}definition`,
  scopeNote: `${NS.skos}scopeNote`, broader: `${NS.skos}broader`, exact: `${NS.skos}exactMatch`,
  close: `${NS.skos}closeMatch`, broadMatch: `${NS.skos}broadMatch`, partOf: `${NS.syndb}partOf`, label: `${RDFS}label`,
  title: `${NS.dcterms}title`, description: `${NS.dcterms}description`, source: `${NS.dcterms}source`,
  license: `${NS.dcterms}license`, creator: `${NS.dcterms}creator`, rdfsComment: `${RDFS}comment`,
};

const oboIri = (curie: string) => { const i = curie.indexOf(':'); return `${NS.obo}${curie.slice(0, i)}_${curie.slice(i + 1)}`; };

export interface BuildResult {
  /** file name -> Turtle text */
  files: Map<string, string>;
  /** human-readable notes on what was read, mapped and skipped */
  report: string[];
}

function sha256(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function header(title: string, sources: Array<{ name: string; sha: string }>): string[] {
  const lines = [
    `${title}`,
    `GENERATED FILE - do not edit. Rebuild with: npm run build && node dist/scripts/build-vocabularies.js`,
    `Generated by ${SCRIPT} from:`,
  ];
  for (const s of sources) lines.push(`  ${s.name}  sha256:${s.sha}`);
  lines.push(`  src/model/vocabulary-curated.ts (curated synonyms, mappings and term lists)`);
  return lines;
}

function scheme(doc: TurtleDoc, iri: string, title: string, description: string, sources: string[], license: string, sourceNote?: string): void {
  doc.iri(iri, T.type, T.scheme);
  doc.lit(iri, T.pref, title, 'en');
  doc.lit(iri, T.title, title, 'en');
  doc.lit(iri, T.description, description, 'en');
  for (const s of sources) doc.iri(iri, T.source, s);
  if (sourceNote) doc.lit(iri, T.source, sourceNote, 'en');
  doc.iri(iri, T.license, license);
}

function addCurated(doc: TurtleDoc, schemeIri: string, base: string, cls: string, items: CuratedConcept[]): void {
  for (const c of items) {
    const iri = `${base}${c.slug}`;
    doc.iri(iri, T.type, cls);
    doc.iri(iri, T.type, T.concept);
    doc.iri(iri, T.inScheme, schemeIri);
    doc.iri(iri, T.top, schemeIri);
    doc.iri(schemeIri, T.hasTop, iri);
    doc.lit(iri, T.pref, c.label, 'en');
    doc.lit(iri, T.label, c.label, 'en');
    for (const a of c.altLabels) doc.lit(iri, T.alt, a);
    for (const h of c.hiddenLabels ?? []) doc.lit(iri, T.hidden, h);
    doc.lit(iri, T.notation, c.slug);
    doc.lit(iri, T.definition, c.definition, 'en');
    for (const m of c.closeMatch ?? []) doc.iri(iri, T.close, m);
    if (c.broader) { doc.iri(iri, T.broader, `${base}${c.broader}`); }
  }
}

/** Build every vocabulary file from the reference folder; pure apart from reading the inputs. */
export function buildVocabularies(refDir: string): BuildResult {
  const report: string[] = [];
  const read = (name: string) => {
    const file = path.join(refDir, name);
    if (!fs.existsSync(file)) throw new Error(`reference file missing: ${file}`);
    const buf = fs.readFileSync(file);
    return { name, buf, text: buf.toString('utf8'), sha: sha256(buf) };
  };
  const mbaFile = read(SOURCES.mba);
  const hbaFile = read(SOURCES.hba);
  const uberonFile = read(SOURCES.uberon);
  const bridgeFile = read(SOURCES.bridge);

  const mba = parseObo(mbaFile.text).filter((t) => t.id.startsWith('MBA:') && !t.obsolete);
  const hba = parseObo(hbaFile.text).filter((t) => t.id.startsWith('HBA:') && !t.obsolete);
  const uberonTerms = new Map(parseObo(uberonFile.text).filter((t) => t.id.startsWith('UBERON:') && !t.obsolete).map((t) => [t.id, t]));
  const { mappings, skipped } = parseBridge(bridgeFile.text);
  report.push(`mouse atlas: ${mba.length} terms; human atlas: ${hba.length} terms; UBERON head subset: ${uberonTerms.size} terms`);
  report.push(`bridge: ${mappings.length} mouse atlas classes; skipped ${skipped.length}: ${skipped.join(', ')}`);

  const doc = new TurtleDoc();
  const S = SCHEME.brainRegions;
  const ccBy3 = 'https://creativecommons.org/licenses/by/3.0/';
  scheme(doc, S, 'SynDB brain regions',
    'Brain regions of the Allen Mouse Brain Atlas (MBA) and Allen Human Brain Atlas (HBA) with their part-of hierarchy, the UBERON terms they map to (UBERON bridge to MBA), and synonyms users type.',
    ['http://purl.obolibrary.org/obo/uberon/bridge/uberon-bridge-to-mba.owl', 'http://purl.obolibrary.org/obo/uberon/subsets/vertebrate-head.obo',
      'https://atlas.brain-map.org/'], ccBy3);

  const region = (iri: string) => { doc.iri(iri, T.type, `${NS.syndb}BrainRegion`); doc.iri(iri, T.type, T.concept); doc.iri(iri, T.inScheme, S); };
  const addAtlas = (terms: OboTerm[], synonyms: Record<string, string[]>, by: 'acronym' | 'name') => {
    const ids = new Set(terms.map((t) => t.id));
    const used = new Set<string>();
    for (const t of terms) {
      const iri = oboIri(t.id);
      region(iri);
      doc.lit(iri, T.pref, t.name, 'en');
      doc.lit(iri, T.label, t.name, 'en');
      doc.lit(iri, T.notation, t.id);
      const acronyms = t.synonyms.filter((s) => s.type === 'ABBREVIATION').map((s) => s.text);
      for (const s of t.synonyms) if (s.text !== t.name) doc.lit(iri, T.alt, s.text);
      const keys = by === 'acronym' ? acronyms : [t.name ?? ''];
      for (const k of keys) {
        for (const syn of synonyms[k] ?? []) {
          used.add(k);
          // skos:prefLabel and skos:altLabel must stay disjoint (SKOS S13).
          if (syn.toLowerCase() !== (t.name ?? '').toLowerCase()) doc.lit(iri, T.alt, syn, 'en');
        }
      }
      const parents = t.partOf.filter((p) => ids.has(p));
      for (const p of parents) { doc.iri(iri, T.partOf, oboIri(p)); doc.iri(iri, T.broader, oboIri(p)); }
      if (parents.length === 0) { doc.iri(iri, T.top, S); doc.iri(S, T.hasTop, iri); }
    }
    const unused = Object.keys(synonyms).filter((k) => !used.has(k));
    if (unused.length) throw new Error(`curated synonyms refer to unknown atlas terms (${by}): ${unused.join(', ')}`);
  };
  addAtlas(mba, MOUSE_SYNONYMS, 'acronym');
  addAtlas(hba, HUMAN_SYNONYMS, 'name');

  // UBERON mappings, as the bridge states them.
  const mbaIds = new Set(mba.map((t) => t.id));
  const mbaName = new Map(mba.map((t) => [t.id, t.name ?? t.id]));
  const uberonNeeded = new Set<string>();
  const equivalentMba = new Map<string, string[]>();
  const referencedBy = new Map<string, string[]>();
  const ref = (u: string, what: string) => referencedBy.set(u, [...(referencedBy.get(u) ?? []), what]);
  let exactCount = 0; let broadCount = 0; let partCount = 0;
  for (const m of mappings) {
    if (!mbaIds.has(m.mba)) { report.push(`bridge class ${m.mba} is not in the mouse atlas OBO: skipped`); continue; }
    const iri = oboIri(m.mba);
    for (const u of m.exact) { doc.iri(iri, T.exact, oboIri(u)); uberonNeeded.add(u); exactCount++; equivalentMba.set(u, [...(equivalentMba.get(u) ?? []), m.mba]); }
    for (const u of m.broad) { doc.iri(iri, T.broadMatch, oboIri(u)); uberonNeeded.add(u); broadCount++; ref(u, `superclass of ${m.mba} "${mbaName.get(m.mba)}"`); }
    for (const u of m.partOf) { doc.iri(iri, T.partOf, oboIri(u)); uberonNeeded.add(u); partCount++; ref(u, `whole of ${m.mba} "${mbaName.get(m.mba)}"`); }
  }
  report.push(`bridge mappings written: ${exactCount} skos:exactMatch (equivalence), ${broadCount} skos:broadMatch (subclass), ${partCount} syndb:partOf`);

  // Curated human atlas -> UBERON, confirmed through the mouse bridge.
  const hbaByName = new Map<string, OboTerm[]>();
  for (const t of hba) hbaByName.set(t.name ?? '', [...(hbaByName.get(t.name ?? '') ?? []), t]);
  for (const [name, u] of Object.entries(HUMAN_TO_UBERON).sort()) {
    const hits = hbaByName.get(name) ?? [];
    if (hits.length !== 1) throw new Error(`HUMAN_TO_UBERON: "${name}" matches ${hits.length} human atlas terms, expected exactly 1`);
    if (!equivalentMba.has(u)) throw new Error(`HUMAN_TO_UBERON: ${u} ("${name}") is not equivalent to any mouse atlas term in the bridge; cannot confirm the id`);
    doc.iri(oboIri(hits[0].id), T.exact, oboIri(u));
    uberonNeeded.add(u);
  }
  for (const u of Object.keys(UBERON_LABELS)) if (equivalentMba.has(u) || uberonTerms.has(u)) uberonNeeded.add(u);
  for (const u of UBERON_EXTRA_TERMS) uberonNeeded.add(u);

  // UBERON terms: the mapped ones and everything reachable from them in the UBERON subset.
  const queue = [...uberonNeeded];
  while (queue.length) {
    const u = queue.pop()!;
    const t = uberonTerms.get(u);
    if (!t) continue;
    for (const p of [...t.isA, ...t.partOf]) if (p.startsWith('UBERON:') && !uberonNeeded.has(p)) { uberonNeeded.add(p); queue.push(p); }
  }
  let labelled = 0;
  const unlabelled: string[] = [];
  for (const u of uberonNeeded) {
    const iri = oboIri(u);
    region(iri);
    doc.lit(iri, T.notation, u);
    const t = uberonTerms.get(u);
    const curated = UBERON_LABELS[u];
    const label = t?.name ?? curated?.[0];
    if (label) {
      labelled++;
      doc.lit(iri, T.pref, label, 'en');
      doc.lit(iri, T.label, label, 'en');
    } else unlabelled.push(u);
    for (const s of curated?.slice(1) ?? []) doc.lit(iri, T.alt, s, 'en');
    if (curated && t?.name && t.name !== curated[0]) doc.lit(iri, T.alt, curated[0], 'en');
    if (t) {
      for (const s of t.synonyms) if (s.scope === 'EXACT' && s.text !== label) doc.lit(iri, T.alt, s.text, 'en');
      doc.lit(iri, T.definition, t.def, 'en');
      for (const p of t.isA) if (uberonNeeded.has(p)) doc.iri(iri, T.broader, oboIri(p));
      for (const p of t.partOf) if (uberonNeeded.has(p)) { doc.iri(iri, T.partOf, oboIri(p)); doc.iri(iri, T.broader, oboIri(p)); }
    }
    const eq = equivalentMba.get(u);
    if (!label) {
      const refs = referencedBy.get(u) ?? [];
      const what = eq ? `equivalent in mouse to ${eq.map((m) => `${m} "${mbaName.get(m)}"`).join(', ')}`
        : `${refs.slice(0, 3).join('; ')}${refs.length > 3 ? `; and ${refs.length - 3} more` : ''}`;
      doc.lit(iri, T.scopeNote, `UBERON label not in the reference files; per the UBERON bridge: ${what}.`, 'en');
    }
  }
  report.push(`UBERON terms: ${uberonNeeded.size} (${labelled} labelled from the UBERON subset or the curated list; ${unlabelled.length} known only by id)`);
  report.push(`curated UBERON labels vs bridge-equivalent mouse terms: ${Object.keys(UBERON_LABELS).sort(cmpCurie)
    .map((u) => `${u} "${UBERON_LABELS[u][0]}" = ${(equivalentMba.get(u) ?? ['-']).map((m) => mbaName.get(m) ?? m).join('/')}`).join('; ')}`);

  const files = new Map<string, string>();
  const srcList = [mbaFile, hbaFile, uberonFile, bridgeFile].map((f) => ({ name: f.name, sha: f.sha }));
  files.set('vocab-brain-regions.ttl', doc.serialise([
    ...header('SynDB vocabulary: brain regions (Allen mouse and human atlases, UBERON).', srcList),
    'License: CC BY 3.0 (Allen atlas terms as distributed via UBERON / OBO; UBERON is CC BY 3.0).',
  ], S));

  // Species
  const sp = new TurtleDoc();
  scheme(sp, SCHEME.species, 'SynDB species', 'Model organisms of connectomics datasets, as NCBI Taxonomy terms (OBO NCBITaxon IRIs).',
    ['https://www.ncbi.nlm.nih.gov/taxonomy'], 'https://creativecommons.org/publicdomain/zero/1.0/');
  for (const s of SPECIES) {
    const iri = `${NS.obo}NCBITaxon_${s.id}`;
    sp.iri(iri, T.type, `${NS.syndb}Taxon`); sp.iri(iri, T.type, T.concept);
    sp.iri(iri, T.inScheme, SCHEME.species); sp.iri(iri, T.top, SCHEME.species); sp.iri(SCHEME.species, T.hasTop, iri);
    sp.lit(iri, T.pref, s.name); sp.lit(iri, T.label, s.name);
    for (const c of s.common) sp.lit(iri, T.alt, c, 'en');
    for (const h of s.hidden ?? []) sp.lit(iri, T.hidden, h, 'en');
    sp.lit(iri, T.notation, `NCBITaxon:${s.id}`);
  }
  files.set('vocab-species.ttl', sp.serialise([
    ...header('SynDB vocabulary: species (NCBI Taxonomy ids, checked by hand).', []),
    'License: CC0 1.0 (NCBI Taxonomy identifiers and names are public domain).',
  ], SCHEME.species));

  const me = new TurtleDoc();
  scheme(me, SCHEME.methods, 'SynDB microscopy methods', 'Imaging methods used to acquire connectomics and synapse-level datasets.', [], 'https://creativecommons.org/publicdomain/zero/1.0/',
    'Curated by the SynDB Graph project (src/model/vocabulary-curated.ts) from the methods of published connectomics datasets; mapped to FBbi where the identifier is certain.');
  addCurated(me, SCHEME.methods, `${NS.syndbv}method/`, `${NS.syndb}MicroscopyMethod`, METHODS);
  files.set('vocab-methods.ttl', me.serialise([...header('SynDB vocabulary: microscopy methods.', []), 'License: CC0 1.0.'], SCHEME.methods));

  const ex = new TurtleDoc();
  scheme(ex, SCHEME.expression, 'SynDB kinds of gene expression change', 'How a genetic manipulation changes the expression of a gene (SynDB metadata field).', [], 'https://creativecommons.org/publicdomain/zero/1.0/',
    'The five kinds of expression change of the SynDB dataset metadata (knock-out, knock-in, knock-down, knock-sideways, overexpression), curated in src/model/vocabulary-curated.ts.');
  addCurated(ex, SCHEME.expression, `${NS.syndbv}expression/`, `${NS.syndb}ExpressionKind`, EXPRESSION_KINDS);
  files.set('vocab-expression-kinds.ttl', ex.serialise([...header('SynDB vocabulary: kinds of gene expression change.', []), 'License: CC0 1.0.'], SCHEME.expression));

  const li = new TurtleDoc();
  scheme(li, SCHEME.licenses, 'SynDB licences', 'Licences datasets may be published under, identified by their SPDX IRIs.', ['https://spdx.org/licenses/'], 'https://creativecommons.org/publicdomain/zero/1.0/');
  for (const l of LICENSES) {
    const iri = `${NS.spdx}${l.id}`;
    li.iri(iri, T.type, `${NS.dcterms}LicenseDocument`); li.iri(iri, T.type, T.concept);
    li.iri(iri, T.inScheme, SCHEME.licenses); li.iri(iri, T.top, SCHEME.licenses); li.iri(SCHEME.licenses, T.hasTop, iri);
    li.lit(iri, T.pref, l.short, 'en'); li.lit(iri, T.label, l.name, 'en');
    li.lit(iri, T.alt, l.name, 'en');
    for (const a of l.alt ?? []) li.lit(iri, T.alt, a);
    li.lit(iri, T.notation, l.id);
    li.lit(iri, T.title, l.name, 'en');
  }
  files.set('vocab-licenses.ttl', li.serialise([...header('SynDB vocabulary: licences (SPDX).', []), 'License: CC0 1.0.'], SCHEME.licenses));
  return { files, report };
}

/** Write the built files to outDir; returns the paths written. */
export function writeVocabularies(result: BuildResult, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of [...result.files].sort()) {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, text);
    written.push(file);
  }
  return written;
}

function main(argv: string[]): number {
  const root = packageRoot(import.meta.url);
  let refDir = path.resolve(root, '../shared/reference/ontologies');
  let outDir = path.join(root, 'ontologies');
  const rest = [...argv];
  while (rest.length) {
    const a = rest.shift()!;
    if (a === '--out') { const v = rest.shift(); if (!v) { console.error('--out needs a directory'); return 2; } outDir = path.resolve(v); } else if (a === '--help' || a === '-h') {
      console.log('usage: build-vocabularies [REFERENCE_DIR] [--out DIR]'); return 0;
    } else if (a.startsWith('-')) { console.error(`unknown option ${a}`); return 2; } else refDir = path.resolve(a);
  }
  const t0 = Date.now();
  const result = buildVocabularies(refDir);
  for (const line of result.report) console.error(line);
  for (const f of writeVocabularies(result, outDir)) console.error(`wrote ${f}`);
  console.error(`done in ${Date.now() - t0} ms`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`build-vocabularies: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
