/**
 * Differential test: our validator (shacl-engine) and Apache Jena must agree on `conforms` and on
 * the multiset of (focus node, path, severity, constraint component) for
 *  (a) the W3C SHACL core test cases,
 *  (b) our own shapes (shapes/*.ttl) on the example dataset graph (examples/forms/*.ttl) and on
 *      compartment rows (test/fixtures/shacl/rows.ttl), and
 *  (c) broken variants of those made by mutation (dropped required triple, wrong datatype,
 *      out-of-range number, bad DOI, two species, unknown term, ...).
 * Both validators get the same files: data + the vocabulary typing triples of every IRI the
 * data references (from ontologies/*.ttl) + the ontology's rdfs:subClassOf triples.
 * All Jena runs happen in one JVM (JenaBatch).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Parser, Store, Writer, DataFactory } from 'n3';
import type { Quad, Term } from '@rdfjs/types';
import { loadSparqlSupport } from '../src/shacl/sparql-constraints.js';
import { loadShapes, compileShapes, type Shapes } from '../src/shacl/shapes.js';
import { projectRoot } from '../src/util/paths.js';
import { validate } from '../src/shacl/validator.js';
import { reportToTurtle } from '../src/shacl/results.js';

// the suites' SHACL-SPARQL shapes need the (lazily loaded) SPARQL support
await loadSparqlSupport();
import { jenaValidateMany, parseReport, reportKey, diffKeys, type JenaReport, type KeyField } from './helpers/jena.js';
import { sharedPath } from './helpers/shared.js';

const { namedNode, literal, quad } = DataFactory;
const ROOT = projectRoot();
const FIELDS: KeyField[] = ['focusNode', 'path', 'severity', 'constraint'];
const NSX = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  syndb: 'https://w3id.org/syndb/ontology#',
  dcterms: 'http://purl.org/dc/terms/',
  prov: 'http://www.w3.org/ns/prov#',
  schema: 'http://schema.org/',
  obo: 'http://purl.obolibrary.org/obo/',
  ar: 'http://publications.europa.eu/resource/authority/access-right/',
};
const dir = mkdtempSync(join(tmpdir(), 'shacl-jena-diff-'));

function toNTriples(quads: Quad[]): string {
  const w = new Writer({ format: 'N-Triples' });
  return w.quadsToString(quads.map((q) => quad(q.subject, q.predicate, q.object)) as never);
}

// ---- vocabulary typing from our ontologies
const ontologyQuads: Quad[] = [];
for (const f of readdirSync(join(ROOT, 'ontologies')).filter((n) => n.endsWith('.ttl')).sort()) {
  ontologyQuads.push(...(new Parser().parse(readFileSync(join(ROOT, 'ontologies', f), 'utf8')) as Quad[]));
}
const typesOf = new Map<string, Quad[]>();
for (const q of ontologyQuads) {
  if (q.predicate.value === `${NSX.rdf}type` && q.subject.termType === 'NamedNode') {
    const l = typesOf.get(q.subject.value);
    if (l) l.push(q); else typesOf.set(q.subject.value, [q]);
  }
}
const subClassOf = ontologyQuads.filter((q) => q.predicate.value === `${NSX.rdfs}subClassOf`);
function typing(data: Quad[]): Quad[] {
  const seen = new Set<string>();
  const out: Quad[] = [...subClassOf];
  for (const q of data) {
    for (const t of [q.subject, q.object]) {
      if (t.termType !== 'NamedNode' || seen.has(t.value)) continue;
      seen.add(t.value);
      out.push(...(typesOf.get(t.value) ?? []));
    }
  }
  return out;
}

function skolemize(quads: Quad[], base: string): Quad[] {
  const sk = (t: Term) => (t.termType === 'BlankNode' ? namedNode(`${base}/.well-known/genid/${t.value}`) : t);
  return quads.map((q) => quad(sk(q.subject) as never, q.predicate as never, sk(q.object) as never));
}

// ---- cases
interface Case { name: string; shapesFile: string; dataFile: string; shapes: Shapes; data: Quad[]; expectConstraint?: string }
const cases: Case[] = [];

// (a) W3C core tests
const W3C_ROOT = sharedPath('conformance/shacl/core');
function w3cCases(): Array<{ name: string; shapesFile: string; dataFile: string }> {
  const out: Array<{ name: string; shapesFile: string; dataFile: string }> = [];
  const MF = 'http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#';
  const SHT = 'http://www.w3.org/ns/shacl-test#';
  const visit = (url: string) => {
    const store = new Store(new Parser({ baseIRI: url }).parse(readFileSync(fileURLToPath(url), 'utf8')));
    for (const inc of store.getObjects(namedNode(url), namedNode(MF + 'include'), null)) visit(inc.value);
    for (const entry of store.getSubjects(namedNode(NSX.rdf + 'type'), namedNode(SHT + 'Validate'), null)) {
      const action = store.getObjects(entry, namedNode(MF + 'action'), null)[0];
      const result = store.getObjects(entry, namedNode(MF + 'result'), null)[0];
      if (result.termType === 'NamedNode') continue; // sht:Failure: no report to compare
      out.push({
        name: entry.value.replace(/^.*\/conformance\/shacl\//, ''),
        shapesFile: fileURLToPath(store.getObjects(action, namedNode(SHT + 'shapesGraph'), null)[0].value),
        dataFile: fileURLToPath(store.getObjects(action, namedNode(SHT + 'dataGraph'), null)[0].value),
      });
    }
  };
  visit(pathToFileURL(join(W3C_ROOT, 'manifest.ttl')).href);
  return out;
}

/**
 * Where Jena 4.5 itself departs from the W3C expected report, comparing with Jena would test
 * Jena's bug, not ours: these are compared with the W3C answer in shacl-w3c.test.ts instead.
 * Filled from observed runs; each entry says what Jena does.
 */
const JENA_DEVIATIONS: Record<string, string> = {
  'core/path/path-sequence-002':
    'the shape\'s path is the nested sequence ((p1 p2) p3); the W3C expected report (and our validator) give the flattened sh:resultPath (p1 p2 p3), Jena 4.5 copies the nested list',
};

// (b) + (c) our shapes, examples, fixtures, mutations
const DATASET_BASE = 'https://syndb.test/datasets/l4dense-motta2019/draft';
const D = namedNode(DATASET_BASE);
const p = (ns: keyof typeof NSX, local: string) => namedNode(NSX[ns] + local);

type Mutation = { name: string; expect: string; apply: (qs: Quad[]) => Quad[] };
const drop = (pred: Term, subject?: Term) => (qs: Quad[]) => qs.filter((q) => !(q.predicate.equals(pred) && (!subject || q.subject.equals(subject))));
const add = (...extra: Quad[]) => (qs: Quad[]) => [...qs, ...extra];
const replaceObject = (pred: Term, make: (o: Term) => Term, onlyFirst = true) => (qs: Quad[]) => {
  let done = false;
  return qs.map((q) => {
    if (q.predicate.equals(pred) && (!onlyFirst || !done)) { done = true; return quad(q.subject as never, q.predicate as never, make(q.object) as never); }
    return q;
  });
};

const datasetMutations: Mutation[] = [
  { name: 'drop the title', expect: 'MinCount', apply: drop(p('dcterms', 'title'), D) },
  { name: 'drop the species', expect: 'MinCount', apply: drop(p('syndb', 'species'), D) },
  { name: 'drop the license', expect: 'MinCount', apply: drop(p('dcterms', 'license'), D) },
  { name: 'author position as text', expect: 'Datatype', apply: replaceObject(p('schema', 'position'), (o) => literal(o.value)) },
  { name: 'author position 0 (out of range)', expect: 'MinInclusive', apply: replaceObject(p('schema', 'position'), () => literal('0', namedNode(NSX.xsd + 'integer'))) },
  { name: 'strain as a number', expect: 'Datatype', apply: add(quad(D, p('syndb', 'strain'), literal('6', namedNode(NSX.xsd + 'integer')))) },
  { name: 'bad dataset DOI', expect: 'Pattern', apply: add(quad(D, p('syndb', 'doi'), literal('10.12/abc def'))) },
  { name: 'publication that is not a DOI link', expect: 'Pattern', apply: add(quad(D, p('dcterms', 'isReferencedBy'), namedNode('https://example.org/paper.pdf'))) },
  { name: 'two species', expect: 'MaxCount', apply: add(quad(D, p('syndb', 'species'), p('obo', 'NCBITaxon_9606'))) },
  { name: 'second species through a specimen', expect: 'MaxCount', apply: add(
    quad(D, p('syndb', 'specimen'), namedNode(`${DATASET_BASE}/.well-known/genid/spec1`)),
    quad(namedNode(`${DATASET_BASE}/.well-known/genid/spec1`), p('rdf', 'type'), p('syndb', 'AnimalSubject')),
    quad(namedNode(`${DATASET_BASE}/.well-known/genid/spec1`), p('syndb', 'species'), p('obo', 'NCBITaxon_9606'))) },
  { name: 'unknown brain region', expect: 'Class', apply: replaceObject(p('syndb', 'brainRegion'), () => p('obo', 'MBA_999999999')) },
  { name: 'embargo without end date', expect: 'Or', apply: replaceObject(p('dcterms', 'accessRights'), () => p('ar', 'RESTRICTED')) },
  { name: 'ill-formed embargo date', expect: 'Datatype', apply: add(quad(D, p('syndb', 'embargoEndDate'), literal('2027-13-45', namedNode(NSX.xsd + 'date')))) },
  { name: 'access right outside the list', expect: 'In', apply: replaceObject(p('dcterms', 'accessRights'), () => p('ar', 'SENSITIVE')) },
  { name: 'creator without a name', expect: 'MinCount', apply: (qs) => {
    const creator = qs.find((q) => q.subject.equals(D) && q.predicate.equals(p('dcterms', 'creator')))!.object;
    return qs.filter((q) => !(q.subject.equals(creator) && q.predicate.equals(p('schema', 'name'))));
  } },
];

const ROWS = 'https://syndb.test/datasets/l4-demo/versions/1/tables/';
const rowMutations: Mutation[] = [
  { name: 'row without cid', expect: 'MinCount', apply: drop(p('syndb', 'cid'), namedNode(`${ROWS}synapse/rows/y1`)) },
  { name: 'voxel volume as text', expect: 'Datatype', apply: replaceObject(p('syndb', 'voxelVolume'), (o) => literal(o.value)) },
  { name: 'negative voxel volume', expect: 'MinInclusive', apply: replaceObject(p('syndb', 'voxelVolume'), () => literal('-1.0', namedNode(NSX.xsd + 'double'))) },
  { name: 'connection score above 1', expect: 'MaxInclusive', apply: replaceObject(p('syndb', 'connectionScore'), () => literal('1.5', namedNode(NSX.xsd + 'double'))) },
  { name: 'synapse parent that is a vesicle row', expect: 'Or', apply: (qs) => [
    ...drop(p('syndb', 'parent'), namedNode(`${ROWS}synapse/rows/y2`))(qs),
    quad(namedNode(`${ROWS}synapse/rows/y2`), p('syndb', 'parent'), namedNode('https://syndb.test/elsewhere/v9')),
    quad(namedNode('https://syndb.test/elsewhere/v9'), p('rdf', 'type'), p('syndb', 'Vesicle')),
  ] },
  { name: 'two cids', expect: 'MaxCount', apply: add(quad(namedNode(`${ROWS}neuron/rows/n1`), p('syndb', 'cid'), literal('n1b'))) },
];

let ourShapes: Shapes;
let jena: JenaReport[] = [];

beforeAll(async () => {
  // (a)
  for (const c of w3cCases()) {
    const load = (f: string) => new Parser({ baseIRI: pathToFileURL(f).href }).parse(readFileSync(f, 'utf8')) as Quad[];
    const shapesQuads = load(c.shapesFile);
    cases.push({ name: `W3C ${c.name}`, shapesFile: c.shapesFile, dataFile: c.dataFile, shapes: compileShapes(shapesQuads), data: c.shapesFile === c.dataFile ? shapesQuads : load(c.dataFile) });
  }
  // (b), (c)
  ourShapes = await loadShapes();
  const shapesFile = join(dir, 'shapes.nt');
  writeFileSync(shapesFile, toNTriples(ourShapes.quads));
  const inputs: Array<{ name: string; quads: Quad[]; mutations: Mutation[] }> = [];
  const formsDir = join(ROOT, 'examples', 'forms');
  const exampleFiles = existsSync(formsDir) ? readdirSync(formsDir).filter((n) => n.endsWith('.ttl')).sort() : [];
  for (const f of exampleFiles) {
    const quads = skolemize(new Parser({ baseIRI: DATASET_BASE }).parse(readFileSync(join(formsDir, f), 'utf8')) as Quad[], DATASET_BASE);
    inputs.push({ name: `example ${f}`, quads, mutations: quads.some((q) => q.subject.equals(D)) ? datasetMutations : [] });
  }
  const rows = new Parser({ baseIRI: ROWS }).parse(readFileSync(join(import.meta.dirname, 'fixtures', 'shacl', 'rows.ttl'), 'utf8')) as Quad[];
  inputs.push({ name: 'fixture rows.ttl', quads: rows, mutations: rowMutations });
  let n = 0;
  for (const input of inputs) {
    const variants = [{ name: input.name, quads: input.quads, expect: undefined as string | undefined },
      ...input.mutations.map((m) => ({ name: `${input.name} / ${m.name}`, quads: m.apply(input.quads), expect: m.expect }))];
    for (const v of variants) {
      const data = [...v.quads, ...typing(v.quads)];
      const dataFile = join(dir, `data-${n++}.nt`);
      writeFileSync(dataFile, toNTriples(data));
      cases.push({ name: v.name, shapesFile, dataFile, shapes: ourShapes, data, expectConstraint: v.expect });
    }
  }
  jena = await jenaValidateMany(cases.map((c) => [c.shapesFile, c.dataFile]));
}, 180_000);

async function compare(i: number) {
  const c = cases[i];
  const ours = await validate(c.shapes, c.data);
  const ourKey = reportKey(parseReport(reportToTurtle(ours)), undefined, FIELDS, true);
  const theirs = reportKey(jena[i].store, undefined, FIELDS, true);
  return { ours, ourKey, theirs };
}

describe('our validator and Apache Jena agree', () => {
  it('on every W3C SHACL core case (except documented Jena deviations)', async () => {
    const w3c = cases.map((c, i) => [c, i] as const).filter(([c]) => c.name.startsWith('W3C '));
    expect(w3c.length).toBeGreaterThan(90);
    const disagreements: string[] = [];
    for (const [c, i] of w3c) {
      const { ourKey, theirs } = await compare(i);
      const d = diffKeys(theirs.results, ourKey.results);
      const agree = ourKey.conforms === theirs.conforms && !d.missing.length && !d.unexpected.length;
      const key = c.name.slice(4);
      if (key in JENA_DEVIATIONS) {
        expect(agree, `${key} is listed as a Jena deviation but now agrees: remove it`).toBe(false);
        continue;
      }
      if (!agree) disagreements.push(`${c.name}: conforms ours=${ourKey.conforms} jena=${theirs.conforms}\n  only Jena: ${d.missing.join('\n  only Jena: ')}\n  only ours: ${d.unexpected.join('\n  only ours: ')}`);
    }
    console.log(`SHACL vs Jena, W3C core: ${w3c.length - disagreements.length - Object.keys(JENA_DEVIATIONS).length} agree, ${Object.keys(JENA_DEVIATIONS).length} documented Jena deviations, ${disagreements.length} disagree`);
    expect(disagreements, disagreements.join('\n')).toEqual([]);
  });

  it('on our shapes with the examples, the row fixture and their mutations', async () => {
    const ours = cases.map((c, i) => [c, i] as const).filter(([c]) => !c.name.startsWith('W3C '));
    expect(ours.length).toBeGreaterThan(rowMutations.length);
    const lines: string[] = [];
    for (const [c, i] of ours) {
      const { ours: report, ourKey, theirs } = await compare(i);
      const d = diffKeys(theirs.results, ourKey.results);
      expect(ourKey.conforms, `${c.name}: conforms`).toBe(theirs.conforms);
      expect(d, `${c.name}: results differ`).toEqual({ missing: [], unexpected: [] });
      if (c.expectConstraint) {
        // the mutation must have broken exactly what it meant to break
        expect(report.results.map((r) => r.constraint), `${c.name}`).toContain(`sh:${c.expectConstraint}ConstraintComponent`);
      }
      lines.push(`${c.name}: ${report.results.length} result(s), both ${theirs.conforms ? 'conform' : 'reject'}`);
      // every result carries a message written for people
      for (const r of report.results) expect(r.message.length, `${c.name}: message of ${JSON.stringify(r)}`).toBeGreaterThan(10);
    }
    console.log(lines.join('\n'));
  });

  it('accepts the unmodified example dataset and rows (with vocabulary typing)', async () => {
    for (const c of cases.filter((x) => !x.name.startsWith('W3C ') && !x.expectConstraint)) {
      const report = await validate(c.shapes, c.data);
      expect(report.results.map((r) => `${r.focusNode} ${r.path} ${r.message}`), c.name).toEqual([]);
    }
  });
});
