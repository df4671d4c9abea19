/**
 * The ontology (ontologies/syndb.ttl), the JSON-LD context (ontologies/context.jsonld) and the
 * SHACL shapes (shapes/*.ttl):
 *  - every file parses (n3) and Apache Jena's riot accepts it;
 *  - every syndb: term used by the shapes, the graph model, and the context is declared;
 *  - the compartment scheme, the column properties and the row shapes agree with each other;
 *  - every shape constraint has a readable sh:message (and property shapes sh:name/sh:description);
 *  - hand-written valid and invalid data, validated by Apache Jena (the referee) and by
 *    shacl-engine (what src/shacl uses), conform or violate exactly as intended, and the two
 *    validators agree result for result.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Parser, Store, DataFactory } from 'n3';
import type { Quad, Term } from '@rdfjs/types';
import jsonld from 'jsonld';
import Validator from 'shacl-engine/Validator.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
import { JENA } from './helpers/shared.js';
const { namedNode } = DataFactory;

const SYNDB = 'https://w3id.org/syndb/ontology#';
const SYNDBV = 'https://w3id.org/syndb/vocab/';
const SH = 'http://www.w3.org/ns/shacl#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const OWL = 'http://www.w3.org/2002/07/owl#';
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const QUDT = 'http://qudt.org/schema/qudt/';
const EX = 'http://example.org/';

const ONTOLOGY_FILE = join(ROOT, 'ontologies', 'syndb.ttl');
const SHAPE_FILES = readdirSync(join(ROOT, 'shapes')).filter((f) => f.endsWith('.ttl')).sort().map((f) => join(ROOT, 'shapes', f));
const MY_TTL = [ONTOLOGY_FILE, ...SHAPE_FILES];

function parseFile(file: string): Quad[] {
  return new Parser({ format: 'text/turtle' }).parse(readFileSync(file, 'utf8')) as Quad[];
}
function storeOf(quads: Quad[]): Store {
  const s = new Store();
  for (const q of quads) s.addQuad(q.subject, q.predicate, q.object);
  return s;
}
const objs = (s: Store, subj: Term | null, p: string): Term[] => s.getObjects(subj as Quad['subject'] | null, namedNode(p), null);
const subjs = (s: Store, p: string, o: Term | string | null): Term[] =>
  s.getSubjects(namedNode(p), typeof o === 'string' ? namedNode(o) : (o as Quad['object'] | null), null);

const ontology = storeOf(parseFile(ONTOLOGY_FILE));
const shapesQuads: Quad[] = [];
for (const f of SHAPE_FILES) shapesQuads.push(...parseFile(f)); // one parser per file: blank nodes stay apart
const shapes = storeOf(shapesQuads);

const DECLARING_TYPES = [OWL + 'Class', OWL + 'ObjectProperty', OWL + 'DatatypeProperty', OWL + 'AnnotationProperty', RDF + 'Property'];
function declared(iri: string): boolean {
  return DECLARING_TYPES.some((t) => ontology.countQuads(namedNode(iri), namedNode(RDF + 'type'), namedNode(t), null) > 0);
}
function superClasses(iri: string): Set<string> {
  const out = new Set<string>();
  const stack = [iri];
  while (stack.length) {
    const c = stack.pop()!;
    for (const sup of objs(ontology, namedNode(c), RDFS + 'subClassOf')) {
      if (sup.termType === 'NamedNode' && !out.has(sup.value)) { out.add(sup.value); stack.push(sup.value); }
    }
  }
  return out;
}

describe('files parse', () => {
  it('every ontology and shapes file parses with n3', () => {
    for (const f of MY_TTL) expect(() => parseFile(f), f).not.toThrow();
    expect(SHAPE_FILES.map((f) => f.split('/').pop())).toEqual(
      ['asset.ttl', 'collection.ttl', 'compartments.ttl', 'dataset.ttl', 'provenance.ttl', 'publication.ttl', 'specimen.ttl']);
  });

  it.skipIf(!existsSync(JENA))('Apache Jena riot accepts every file', () => {
    const r = spawnSync(JENA, ['riot', '--validate', ...MY_TTL], { encoding: 'utf8' });
    expect(r.stderr + r.stdout, 'riot output').not.toMatch(/ERROR|WARN/);
    expect(r.status).toBe(0);
  });
});

describe('ontology', () => {
  it('is an owl:Ontology with version, license, label and comment', () => {
    const o = namedNode('https://w3id.org/syndb/ontology');
    expect(ontology.countQuads(o, namedNode(RDF + 'type'), namedNode(OWL + 'Ontology'), null)).toBe(1);
    for (const p of [OWL + 'versionInfo', OWL + 'versionIRI', 'http://purl.org/dc/terms/license', RDFS + 'label', RDFS + 'comment']) {
      expect(objs(ontology, o, p).length, p).toBeGreaterThan(0);
    }
  });

  it('declares every syndb: term used in shapes/, docs/graph-model.md and the JSON-LD context', () => {
    const used = new Set<string>();
    for (const q of shapesQuads) for (const t of [q.subject, q.predicate, q.object]) if (t.termType === 'NamedNode' && t.value.startsWith(SYNDB)) used.add(t.value);
    const doc = readFileSync(join(ROOT, 'docs', 'graph-model.md'), 'utf8');
    for (const m of doc.matchAll(/syndb:([A-Za-z][A-Za-z0-9]*)/g)) used.add(SYNDB + m[1]);
    const ctx = JSON.parse(readFileSync(join(ROOT, 'ontologies', 'context.jsonld'), 'utf8'))['@context'] as Record<string, unknown>;
    for (const v of Object.values(ctx)) {
      const id = typeof v === 'string' ? v : (v as { '@id'?: string })?.['@id'];
      if (typeof id === 'string' && id.startsWith('syndb:')) used.add(SYNDB + id.slice(6));
    }
    expect(used.size).toBeGreaterThan(80);
    const missing = [...used].filter((t) => !declared(t));
    expect(missing).toEqual([]);
  });

  it('declares every term with a label and a comment', () => {
    const terms = new Set<string>();
    for (const t of DECLARING_TYPES) for (const s of subjs(ontology, RDF + 'type', t)) if (s.value.startsWith(SYNDB)) terms.add(s.value);
    expect(terms.size).toBeGreaterThan(90);
    for (const t of terms) {
      expect(objs(ontology, namedNode(t), RDFS + 'label').length, `${t} rdfs:label`).toBeGreaterThan(0);
      expect(objs(ontology, namedNode(t), RDFS + 'comment').length, `${t} rdfs:comment`).toBeGreaterThan(0);
    }
  });

  it('has the SynDB compartment scheme: ten concepts, each linked to a row class under syndb:Compartment', () => {
    const slugs = ['neuron', 'dendrite', 'axon', 'pre-synaptic-terminal', 'synapse', 'dendritic-spine', 'endoplasmic-reticulum', 'nucleus', 'vesicle', 'mitochondrion'];
    const concepts = subjs(ontology, RDF + 'type', SYNDB + 'CompartmentType').map((t) => t.value).sort();
    expect(concepts).toEqual(slugs.map((s) => `${SYNDBV}compartment/${s}`).sort());
    const rowClasses = new Set<string>();
    for (const slug of slugs) {
      const c = namedNode(`${SYNDBV}compartment/${slug}`);
      expect(ontology.countQuads(c, namedNode(RDF + 'type'), namedNode(SKOS + 'Concept'), null), slug).toBe(1);
      expect(objs(ontology, c, SKOS + 'notation').map((t) => t.value), slug).toContain(slug);
      expect(objs(ontology, c, SKOS + 'prefLabel').length, slug).toBe(1);
      expect(objs(ontology, c, SKOS + 'inScheme').map((t) => t.value)).toEqual([`${SYNDBV}compartment`]);
      const rc = objs(ontology, c, SYNDB + 'rowClass');
      expect(rc.length, `${slug} syndb:rowClass`).toBe(1);
      rowClasses.add(rc[0]!.value);
      expect(superClasses(rc[0]!.value).has(SYNDB + 'Compartment'), `${rc[0]!.value} ⊑ syndb:Compartment`).toBe(true);
      // every concept but the top one has a broader concept in the scheme
      const broader = objs(ontology, c, SKOS + 'broader').map((t) => t.value);
      if (slug === 'neuron') expect(broader).toEqual([]);
      else expect(broader.length, `${slug} skos:broader`).toBeGreaterThan(0);
      for (const b of broader) expect(concepts).toContain(b);
    }
    expect(rowClasses.size).toBe(10);
    // the GO / CL alignment of the compartment classes
    const expectSub = (cls: string, sup: string) => expect(superClasses(SYNDB + cls).has('http://purl.obolibrary.org/obo/' + sup), `${cls} ⊑ ${sup}`).toBe(true);
    expectSub('Neuron', 'CL_0000540'); expectSub('Axon', 'GO_0030424'); expectSub('Dendrite', 'GO_0030425');
    expectSub('DendriticSpine', 'GO_0043197'); expectSub('Synapse', 'GO_0045202'); expectSub('Mitochondrion', 'GO_0005739');
    expectSub('Nucleus', 'GO_0005634'); expectSub('EndoplasmicReticulum', 'GO_0005783');
    expectSub('Dendrite', 'GO_0043005'); // neuron projection (neurite), through syndb:Neurite
  });

  it('gives every column property a unique SynDB column name, a range, a domain and (for numbers) a unit', () => {
    const columns = subjs(ontology, RDF + 'type', OWL + 'DatatypeProperty')
      .filter((p) => objs(ontology, p, SKOS + 'notation').length > 0 && objs(ontology, p, RDFS + 'domain').length > 0);
    const notations = new Map<string, string>();
    for (const p of columns) {
      const n = objs(ontology, p, SKOS + 'notation');
      // one column name, or SynDB's name plus our descriptive one (GABA / gaba_probability); never shared
      expect(n.length, `${p.value} has one or two skos:notation`).toBeGreaterThanOrEqual(1);
      expect(n.length, `${p.value} has one or two skos:notation`).toBeLessThanOrEqual(2);
      for (const x of n) {
        expect(notations.has(x.value), `notation ${x.value} used twice`).toBe(false);
        notations.set(x.value, p.value);
      }
      const range = objs(ontology, p, RDFS + 'range').map((t) => t.value);
      expect(range.length, `${p.value} rdfs:range`).toBe(1);
      if (range[0] === XSD + 'double' || range[0] === XSD + 'integer') {
        expect(objs(ontology, p, QUDT + 'hasUnit').length, `${p.value} qudt:hasUnit`).toBe(1);
      }
    }
    for (const col of ['voxel_volume', 'voxel_radius', 'mesh_volume', 'mesh_surface_area', 'mesh_area_volume_ratio', 'mesh_sphericity',
      'centroid_x', 'centroid_y', 'centroid_z', 'mesh_location', 'swc_location', 'polarity', 'neuron_type', 'direction',
      'terminal_count', 'mitochondria_count', 'total_mitochondria_volume', 'vesicle_count', 'total_vesicle_volume',
      'connection_score', 'cleft_score', 'gaba_probability', 'acetylcholine_probability', 'glutamate_probability',
      'octopamine_probability', 'serine_probability', 'dopamine_probability', 'cave_id', 'dendritic_spine_count',
      'neurotransmitter', 'distance_to_active_zone', 'minimum_normal_length', 'ribosome_count', 'cid']) {
      expect(notations.has(col), `column ${col}`).toBe(true);
    }
    expect(notations.get('voxel_volume')).toBe(SYNDB + 'voxelVolume');
    expect(notations.get('mesh_surface_area')).toBe(SYNDB + 'meshSurfaceArea');
    expect(notations.get('centroid_x')).toBe(SYNDB + 'centroidX');
    expect(objs(ontology, namedNode(SYNDB + 'meshVolume'), QUDT + 'hasUnit').map((t) => t.value)).toEqual(['http://qudt.org/vocab/unit/NanoM3']);
    expect(objs(ontology, namedNode(SYNDB + 'gabaProbability'), QUDT + 'hasUnit').map((t) => t.value)).toEqual(['http://qudt.org/vocab/unit/UNITLESS']);
  });

  it('aligns to the standards generic clients know', () => {
    const has = (s: string, p: string, o: string) => ontology.countQuads(namedNode(s), namedNode(p), namedNode(o), null) === 1;
    expect(has(SYNDB + 'species', RDFS + 'subPropertyOf', 'http://purl.org/dc/terms/subject')).toBe(true);
    expect(has(SYNDB + 'brainRegion', RDFS + 'subPropertyOf', 'http://purl.org/dc/terms/subject')).toBe(true);
    expect(has(SYNDB + 'microscopyMethod', RDFS + 'subPropertyOf', 'http://schema.org/measurementTechnique')).toBe(true);
    expect(has(SYNDB + 'doi', RDFS + 'subPropertyOf', 'http://purl.org/dc/terms/identifier')).toBe(true);
    expect(has(SYNDB + 'partOf', RDF + 'type', OWL + 'TransitiveProperty')).toBe(true);
    expect(has(SYNDB + 'partOf', RDFS + 'subPropertyOf', 'http://purl.obolibrary.org/obo/BFO_0000050')).toBe(true);
    for (const c of ['DatasetVersion', 'DatasetConcept']) {
      expect(superClasses(SYNDB + c).has('http://www.w3.org/ns/dcat#Dataset')).toBe(true);
      expect(superClasses(SYNDB + c).has('http://schema.org/Dataset')).toBe(true);
    }
    for (const c of ['AnimalSubject', 'TissueSample']) expect(superClasses(SYNDB + c).has('http://www.w3.org/ns/prov#Entity')).toBe(true);
    for (const c of ['Mesh', 'SkeletonSWC']) expect(superClasses(SYNDB + c).has('http://www.w3.org/ns/dcat#Distribution')).toBe(true);
  });
});

describe('row shapes agree with the ontology', () => {
  it('each column property shape names the SynDB column and checks the declared range', () => {
    const propertyShapes = subjs(shapes, RDF + 'type', SH + 'PropertyShape');
    let checked = 0;
    for (const ps of propertyShapes) {
      const path = objs(shapes, ps, SH + 'path')[0]!;
      if (path.termType !== 'NamedNode' || !path.value.startsWith(SYNDB)) continue;
      const notation = objs(ontology, path, SKOS + 'notation').map((t) => t.value);
      if (notation.length === 0) continue;
      const names = objs(shapes, ps, SH + 'name').map((t) => t.value);
      expect(names, ps.value).toHaveLength(1);
      expect(notation, ps.value).toContain(names[0]);
      const message = objs(shapes, ps, SH + 'message')[0]!.value;
      expect(message.startsWith(names[0]!), `${ps.value}: message names the column`).toBe(true);
      const dt = objs(shapes, ps, SH + 'datatype').map((t) => t.value);
      if (dt.length) expect(dt, `${ps.value} datatype = rdfs:range of ${path.value}`).toEqual(objs(ontology, path, RDFS + 'range').map((t) => t.value));
      checked++;
    }
    expect(checked).toBeGreaterThan(35);
  });

  it('has one node shape per compartment row class', () => {
    const targets = shapes.getObjects(null, namedNode(SH + 'targetClass'), null).map((t) => t.value);
    for (const slug of ['neuron', 'dendrite', 'axon', 'pre-synaptic-terminal', 'synapse', 'dendritic-spine', 'endoplasmic-reticulum', 'nucleus', 'vesicle', 'mitochondrion']) {
      const rc = objs(ontology, namedNode(`${SYNDBV}compartment/${slug}`), SYNDB + 'rowClass')[0]!.value;
      expect(targets, slug).toContain(rc);
    }
  });
});

describe('messages', () => {
  const CONSTRAINT_PARAMS = ['class', 'datatype', 'nodeKind', 'minCount', 'maxCount', 'minInclusive', 'maxInclusive', 'minExclusive', 'maxExclusive',
    'minLength', 'maxLength', 'pattern', 'in', 'hasValue', 'or', 'and', 'not', 'xone', 'node', 'qualifiedValueShape', 'closed', 'equals', 'disjoint',
    'lessThan', 'lessThanOrEquals', 'languageIn', 'uniqueLang'].map((p) => SH + p);

  it('every property shape has sh:message, sh:name and sh:description', () => {
    const ps = new Map<string, Term>();
    for (const t of shapes.getObjects(null, namedNode(SH + 'property'), null)) ps.set(t.value, t);
    for (const t of subjs(shapes, RDF + 'type', SH + 'PropertyShape')) ps.set(t.value, t);
    expect(ps.size).toBeGreaterThan(100);
    for (const s of ps.values()) {
      const where = `${s.value} (path ${objs(shapes, s, SH + 'path')[0]?.value})`;
      expect(objs(shapes, s, SH + 'message').length, `${where} sh:message`).toBe(1);
      expect(objs(shapes, s, SH + 'name').length, `${where} sh:name`).toBe(1);
      expect(objs(shapes, s, SH + 'description').length, `${where} sh:description`).toBe(1);
    }
  });

  it('every node shape with its own constraints has sh:message', () => {
    const nodeShapes = subjs(shapes, RDF + 'type', SH + 'NodeShape');
    expect(nodeShapes.length).toBeGreaterThan(20);
    for (const n of nodeShapes) {
      const own = CONSTRAINT_PARAMS.some((p) => objs(shapes, n, p).length > 0);
      if (own) expect(objs(shapes, n, SH + 'message').length, `${n.value} sh:message`).toBe(1);
      expect(objs(shapes, n, SH + 'targetClass').length + objs(shapes, n, SH + 'targetObjectsOf').length, `${n.value} has a target`).toBeGreaterThan(0);
    }
  });

  it('uses SHACL Core only, and no inverse or transitive paths (src/shacl validates large tables in chunks)', () => {
    for (const p of ['sparql', 'select', 'ask', 'target', 'inversePath', 'zeroOrMorePath', 'oneOrMorePath']) {
      expect(shapes.countQuads(null, namedNode(SH + p), null, null), `sh:${p}`).toBe(0);
    }
  });
});

describe('JSON-LD context', () => {
  const ctxDoc = JSON.parse(readFileSync(join(ROOT, 'ontologies', 'context.jsonld'), 'utf8'));
  const noNetwork = async (url: string): Promise<never> => { throw new Error(`network access attempted: ${url}`); };

  it('is a JSON-LD 1.1 context whose prefixes match src/model/namespaces.ts', async () => {
    const ctx = ctxDoc['@context'];
    expect(ctx['@version']).toBe(1.1);
    const { NS } = await import('../src/model/namespaces.js');
    for (const [p, iri] of Object.entries(NS)) expect(ctx[p]?.['@id'] ?? ctx[p], p).toBe(iri);
  });

  it('expands data offline to the IRIs of the graph model', async () => {
    const doc = {
      '@context': ctxDoc['@context'],
      '@id': 'https://syndb.example.org/datasets/demo/versions/1',
      '@type': ['DatasetVersion', 'dcat:Dataset'],
      title: 'Demo', species: 'obo:NCBITaxon_10090', brainRegion: 'obo:MBA_329',
      compartment: ['syndbv:compartment/synapse'],
      creator: 'orcid:0000-0002-1825-0097',
      license: 'spdx:CC-BY-4.0', accessRights: 'ar:PUBLIC', embargoEndDate: '2027-01-31',
      geneticManipulation: { '@type': 'GeneticManipulation', gene: 'Baz1a', expressionKind: 'syndbv:expression/knock-out' },
      keyword: 'connectomics',
    };
    const nq = await jsonld.toRDF(doc, { format: 'application/n-quads', documentLoader: noNetwork as never }) as unknown as string;
    const q = (s: string) => expect(nq).toContain(s);
    const D = '<https://syndb.example.org/datasets/demo/versions/1>';
    q(`${D} <${RDF}type> <${SYNDB}DatasetVersion>`);
    q(`${D} <${RDF}type> <http://www.w3.org/ns/dcat#Dataset>`);
    q(`${D} <${SYNDB}species> <http://purl.obolibrary.org/obo/NCBITaxon_10090>`);
    q(`${D} <${SYNDB}compartment> <${SYNDBV}compartment/synapse>`);
    q(`${D} <http://purl.org/dc/terms/creator> <https://orcid.org/0000-0002-1825-0097>`);
    q(`${D} <http://purl.org/dc/terms/license> <http://spdx.org/licenses/CC-BY-4.0>`);
    q(`${D} <${SYNDB}embargoEndDate> "2027-01-31"^^<${XSD}date>`);
    q(`<${SYNDB}gene> "Baz1a"`);
    q(`<${SYNDB}expressionKind> <${SYNDBV}expression/knock-out>`);
    q(`${D} <http://www.w3.org/ns/dcat#keyword> "connectomics"`);
    // and compacts back to the short terms
    const expanded = await jsonld.expand(doc, { documentLoader: noNetwork as never });
    const compacted = await jsonld.compact(expanded, ctxDoc['@context'], { documentLoader: noNetwork as never }) as Record<string, unknown>;
    expect(compacted.species).toBe('obo:NCBITaxon_10090');
    expect(compacted.compartment).toEqual(['syndbv:compartment/synapse']);
  });

  it('types the column terms with the ranges of the ontology', () => {
    const ctx = ctxDoc['@context'] as Record<string, { '@id'?: string; '@type'?: string }>;
    let n = 0;
    for (const [term, def] of Object.entries(ctx)) {
      if (typeof def !== 'object' || !def['@id']?.startsWith('syndb:') || !def['@type'] || def['@type'] === '@id') continue;
      const range = objs(ontology, namedNode(SYNDB + def['@id'].slice(6)), RDFS + 'range').map((t) => t.value);
      expect(range, term).toEqual([XSD + def['@type'].slice(4)]);
      n++;
    }
    expect(n).toBeGreaterThan(30);
  });
});

// ---------------------------------------------------------------------------------------
// Validation cases: every case owns the IRIs http://example.org/{case}…; the data of all
// cases is validated in one Jena call and once with shacl-engine.
// ---------------------------------------------------------------------------------------

const PREFIXES = `
@prefix syndb:   <https://w3id.org/syndb/ontology#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix dcat:    <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix schema:  <http://schema.org/> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix obo:     <http://purl.obolibrary.org/obo/> .
@prefix lic:     <http://spdx.org/licenses/> .
@prefix spdx:    <http://spdx.org/rdf/terms#> .
@prefix ar:      <http://publications.europa.eu/resource/authority/access-right/> .
@prefix method:  <https://w3id.org/syndb/vocab/method/> .
@prefix expr:    <https://w3id.org/syndb/vocab/expression/> .
@prefix comp:    <https://w3id.org/syndb/vocab/compartment/> .
@prefix ex:      <http://example.org/> .
`;

// The vocabulary typing the data needs (what src/model adds from ontologies/ before validation).
const VOCAB = `
obo:NCBITaxon_10090 a syndb:Taxon .  obo:NCBITaxon_9606 a syndb:Taxon .
obo:MBA_329 a syndb:BrainRegion .    obo:MBA_385 a syndb:BrainRegion .
method:SBEM a syndb:MicroscopyMethod .  method:ssTEM a syndb:MicroscopyMethod .
expr:knock-out a syndb:ExpressionKind .
lic:CC-BY-4.0 a dcterms:LicenseDocument .
comp:synapse a syndb:CompartmentType .  comp:neuron a syndb:CompartmentType .
`;

type Parts = Record<string, string>;
/** A complete, valid dataset version `ex:{id}` with its creator; `omit` drops parts, `set` replaces or adds them. */
function dataset(id: string, opt: { omit?: string[]; set?: Parts; extra?: string } = {}): string {
  const parts: Parts = {
    type: 'a syndb:DatasetVersion, dcat:Dataset, schema:Dataset',
    title: 'dcterms:title "Dense connectome of mouse S1 layer 4"@en',
    description: 'dcterms:description "Synapses and neurons reconstructed from SBEM."',
    creator: `dcterms:creator ex:${id}-alice`,
    attribution: `prov:qualifiedAttribution ex:${id}-attr1`,
    license: 'dcterms:license lic:CC-BY-4.0',
    species: 'syndb:species obo:NCBITaxon_10090',
    region: 'syndb:brainRegion obo:MBA_329',
    method: 'syndb:microscopyMethod method:SBEM',
    compartment: 'syndb:compartment comp:synapse, comp:neuron',
    access: 'dcterms:accessRights ar:PUBLIC',
    ...opt.set,
  };
  for (const o of opt.omit ?? []) delete parts[o];
  const body = Object.values(parts).join(' ;\n  ');
  return `ex:${id} ${body} .
ex:${id}-alice a prov:Agent, schema:Person, foaf:Person ; schema:name "Motta, Alessandro" .
ex:${id}-attr1 a prov:Attribution ; prov:agent ex:${id}-alice ; schema:position 1 .
${opt.extra ?? ''}`;
}

const row = (c: string, table: string, cid: string) => `<${EX}${c}/datasets/demo/versions/1/tables/${table}/rows/${cid}>`;
const D = (c: string) => `<${EX}${c}/datasets/demo/versions/1>`;
const SHA = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);

interface Case { id: string; ttl: string; expect: string[] }
const CASES: Case[] = [
  // ---------------- datasets
  {
    id: 'dsFull', expect: [],
    ttl: dataset('dsFull', {
      set: {
        access: 'dcterms:accessRights ar:RESTRICTED ; syndb:embargoEndDate "2027-01-31"^^xsd:date',
        more: `syndb:strain "C57BL/6" ; syndb:doi "10.5281/zenodo.1234567" ; dcterms:identifier "10.5281/zenodo.1234567", "RY_IMG_0001" ;
  dcat:keyword "connectomics", "Konnektomik"@de ; syndb:tag "layer 4" ; dcterms:isVersionOf ex:dsFull-concept ;
  dcterms:isReferencedBy <https://doi.org/10.1126/science.aay3134> ; dcterms:references <https://doi.org/10.1038/nmeth.4331> ;
  prov:wasDerivedFrom <https://doi.org/10.1038/nmeth.4331>, ex:dsFull-t1 ;
  syndb:geneticManipulation ex:dsFull-gm1 ; syndb:specimen ex:dsFull-m1, ex:dsFull-s1 ; syndb:sourceTable ex:dsFull-t1`,
      },
      extra: `
ex:dsFull-gm1 a syndb:GeneticManipulation ; syndb:gene "Baz1a" ; syndb:expressionKind expr:knock-out .
ex:dsFull-m1 a syndb:AnimalSubject ; dcterms:identifier "RY_M_0001" ; syndb:sex "M" ; syndb:age "P28" ; syndb:genotype "+/-;+/-" ;
  syndb:strain "C57BL/6" ; syndb:species obo:NCBITaxon_10090 .
ex:dsFull-s1 a syndb:TissueSample ; dcterms:identifier "RY_S_0001" ; prov:wasDerivedFrom ex:dsFull-m1 ; syndb:brainRegion obo:MBA_329 ; syndb:species obo:NCBITaxon_10090 .
ex:dsFull-t1 a syndb:SourceTable ; schema:name "synapses_pni_2" ; syndb:sourceSystem "CAVE" ; syndb:materializationVersion 117 ;
  syndb:materializationTimestamp "2021-06-11T08:10:00.215114Z"^^xsd:dateTime ; syndb:rowCount 337000000 .
<https://doi.org/10.1126/science.aay3134> a schema:ScholarlyArticle ; dcterms:identifier "10.1126/science.aay3134" ;
  dcterms:title "Dense connectomic reconstruction in layer 4 of the somatosensory cortex" ; schema:datePublished "2019"^^xsd:gYear .
<https://doi.org/10.1038/nmeth.4331> a schema:ScholarlyArticle ; dcterms:identifier "10.1038/nmeth.4331" .
`,
    }),
  },
  {
    id: 'dsEmpty', ttl: 'ex:dsEmpty a syndb:DatasetVersion .',
    expect: ['exactly one title', 'exactly one description', 'at least one creator', 'exactly one license', 'needs its species',
      'needs its brain region', 'needs its microscopy method', 'at least one compartment table', 'exactly one access level'],
  },
  { id: 'dsTwoSpecies', ttl: dataset('dsTwoSpecies', { set: { species: 'syndb:species obo:NCBITaxon_10090, obo:NCBITaxon_9606' } }), expect: ['one dataset per species'] },
  {
    id: 'dsSpecimenSpecies', expect: ['one dataset per species'],
    ttl: dataset('dsSpecimenSpecies', { set: { sp: 'syndb:specimen ex:dsSpecimenSpecies-m1' }, extra: 'ex:dsSpecimenSpecies-m1 a syndb:AnimalSubject ; dcterms:identifier "H1" ; syndb:species obo:NCBITaxon_9606 .' }),
  },
  {
    id: 'dsSpecimenRegion', expect: ['one dataset per brain region'],
    ttl: dataset('dsSpecimenRegion', { set: { sp: 'syndb:specimen ex:dsSpecimenRegion-s1' }, extra: 'ex:dsSpecimenRegion-s1 a syndb:TissueSample ; dcterms:identifier "S1" ; syndb:brainRegion obo:MBA_385 .' }),
  },
  { id: 'dsTwoMethods', ttl: dataset('dsTwoMethods', { set: { method: 'syndb:microscopyMethod method:SBEM, method:ssTEM' } }), expect: ['one dataset per method'] },
  {
    id: 'dsWrongTerms',
    ttl: dataset('dsWrongTerms', {
      set: {
        species: 'syndb:species obo:MBA_329', region: 'syndb:brainRegion obo:NCBITaxon_10090', method: 'syndb:microscopyMethod ex:dsWrongTerms-laser',
        license: 'dcterms:license <https://example.org/my-license>', compartment: 'syndb:compartment comp:soma',
      },
    }),
    expect: ['species must be a known species term', 'brain region must be a known atlas term', 'microscopy method must be a known method term',
      'license must be one of the known licenses', "one of SynDB's ten compartments"],
  },
  {
    id: 'dsBadIds',
    ttl: dataset('dsBadIds', { set: { more: 'syndb:doi "doi:10.1126/x" ; dcterms:isReferencedBy <http://dx.doi.org/10.1126/science.aay3134> ; dcterms:references "10.1038/nmeth.4331" ; dcterms:identifier ""' } }),
    expect: ['dataset DOI (syndb:doi) must be a single DOI', 'publication (dcterms:isReferencedBy) must be a DOI link', 'related paper (dcterms:references) must be a DOI link',
      'Identifiers (dcterms:identifier) must be non-empty'],
  },
  {
    id: 'dsAccess', ttl: dataset('dsAccess', { set: { access: 'dcterms:accessRights ar:OPEN ; syndb:embargoEndDate "2027-01-31", "2028-01-31"^^xsd:date' } }),
    expect: ['access level must be PUBLIC, NON_PUBLIC or RESTRICTED', 'embargo end date (syndb:embargoEndDate) must be a single date'],
  },
  { id: 'dsEmbargo', ttl: dataset('dsEmbargo', { set: { access: 'dcterms:accessRights ar:RESTRICTED' } }), expect: ['embargoed dataset (access RESTRICTED) needs'] },
  {
    id: 'dsGM',
    ttl: dataset('dsGM', {
      set: { gm: 'syndb:geneticManipulation ex:dsGM-gm1, ex:dsGM-gm2' },
      extra: `ex:dsGM-gm1 a syndb:GeneticManipulation ; syndb:gene "  " .
ex:dsGM-gm2 a syndb:GeneticManipulation ; syndb:gene "Baz1a" ; syndb:expressionKind expr:knock-over .`,
    }),
    expect: ['gene (syndb:gene) must be non-empty text', 'exactly one kind of expression change', 'expression kind must be a known term'],
  },
  {
    id: 'dsAttr',
    ttl: dataset('dsAttr', {
      set: { attribution: 'prov:qualifiedAttribution ex:dsAttr-attr1, ex:dsAttr-attr2' },
    }).replace('schema:position 1 .', 'schema:position 0 .') + '\nex:dsAttr-attr2 a prov:Attribution ; schema:position "2" .',
    expect: ['author position (schema:position) must be a whole number of at least 1', 'names exactly one creator (prov:agent)'],
  },
  {
    id: 'dsCreator', ttl: dataset('dsCreator', { set: { creator: 'dcterms:creator ex:dsCreator-alice, ex:dsCreator-bob' } }) + '\nex:dsCreator-bob foaf:nick "bob" .',
    expect: ['creator must be a person or organisation (typed prov:Agent)', 'Each creator needs a name'],
  },
  {
    id: 'dsSource',
    ttl: dataset('dsSource', {
      set: { st: 'syndb:sourceTable ex:dsSource-t1' },
      extra: 'ex:dsSource-t1 a syndb:SourceTable ; syndb:materializationVersion -1 ; syndb:materializationTimestamp "2021-06-11" ; syndb:rowCount "many" .',
    }),
    expect: ['needs exactly one name (schema:name)', 'materialization version (syndb:materializationVersion) must be a single whole number of 0 or more',
      'materialization timestamp', 'row count (syndb:rowCount)'],
  },
  {
    id: 'dsTitle', ttl: dataset('dsTitle', { set: { title: 'dcterms:title ""', description: 'dcterms:description "   "@en' } }),
    expect: ['title must be non-empty text', 'description must be non-empty text'],
  },
  // ---------------- specimens
  {
    id: 'spAges', expect: [],
    ttl: ['P28', 'E14.5', 'P1Y', 'P2M10D', 'PT36H', 'P1Y2M3DT4H5M6.5S', 'P3W', 'P0'].map((age, i) =>
      `ex:spAges-${i} a syndb:AnimalSubject ; dcterms:identifier "M${i}" ; syndb:age "${age}" ; syndb:sex "F" .`).join('\n'),
  },
  {
    id: 'spBad', ttl: 'ex:spBad-1 a syndb:AnimalSubject ; syndb:sex "male" ; syndb:age "28 days" ; syndb:genotype "" ; syndb:species obo:MBA_329 .',
    expect: ['needs an identifier', 'sex of an animal (syndb:sex) must be one of', 'age (syndb:age) must be one value', 'genotype (syndb:genotype) must be',
      "specimen's species must be a known species term"],
  },
  {
    id: 'spAgeEdge', expect: ['age (syndb:age) must be one value'],
    ttl: ['P', 'PT', 'P1YT', '28', 'E', 'P1Y1Y'].map((age, i) => `ex:spAgeEdge-${i} a syndb:AnimalSubject ; dcterms:identifier "M${i}" ; syndb:age "${age}" .`).join('\n'),
  },
  { id: 'spUntyped', ttl: 'ex:spUntyped-x syndb:specimen ex:spUntyped-s . ex:spUntyped-s dcterms:identifier "S1" .', expect: ['must be typed as an animal'] },
  {
    id: 'spTissue', ttl: 'ex:spTissue-s a syndb:TissueSample ; dcterms:identifier "S1" ; prov:wasDerivedFrom ex:spTissue-thing .',
    expect: ['tissue sample is derived from (prov:wasDerivedFrom) an animal'],
  },
  // ---------------- publications
  {
    id: 'pubBad', ttl: 'ex:pubBad-a a schema:ScholarlyArticle ; dcterms:identifier "PMID:31649140" ; dcterms:title "A", "B" ; schema:datePublished "2019" .',
    expect: ['identified by its DOI link', 'needs its DOI as an identifier', 'at most one title', 'publication date (schema:datePublished)'],
  },
  // ---------------- collections
  {
    id: 'colOk', expect: [],
    ttl: `ex:colOk a syndb:Collection ; dcterms:title "Mouse layer 4" ; syndb:owner ex:colOk-alice ;
  dcterms:hasPart <https://syndb.example.org/datasets/l4dense>, <https://syndb.example.org/datasets/microns/versions/2>, ex:colOk-ds .
ex:colOk-ds a syndb:DatasetConcept .`,
  },
  {
    id: 'colBad', ttl: 'ex:colBad a syndb:Tag ; syndb:owner "alice" ; dcterms:hasPart ex:colBad-page .',
    expect: ['collection needs exactly one title', 'exactly one owner (syndb:owner)', 'Collection members (dcterms:hasPart) must be datasets'],
  },
  // ---------------- provenance
  {
    id: 'provOk', expect: [],
    ttl: `ex:provOk a prov:Activity ; prov:wasAssociatedWith ex:provOk-alice ;
  prov:startedAtTime "2026-01-31T12:00:00Z"^^xsd:dateTime ; prov:endedAtTime "2026-01-31T12:00:05Z"^^xsd:dateTime ;
  prov:used ex:provOk-upload ; prov:generated ex:provOk-v1 .
ex:provOk-upload spdx:checksum ex:provOk-sum .
ex:provOk-sum spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "${SHA}" .
ex:provOk2 a prov:Activity ; prov:wasAssociatedWith ex:provOk-alice ;
  prov:startedAtTime "2026-01-31T12:00:00Z"^^xsd:dateTime ; prov:endedAtTime "2026-01-31T12:00:05Z"^^xsd:dateTime ; prov:invalidated ex:provOk-v1 .`,
  },
  {
    id: 'provBad',
    ttl: `ex:provBad a prov:Activity ; prov:startedAtTime "yesterday" ; prov:used ex:provBad-file, ex:provBad-f2 .
ex:provBad-f2 spdx:checksum ex:provBad-sum2 .
ex:provBad-sum2 spdx:algorithm spdx:checksumAlgorithm_md5 ; spdx:checksumValue "xyz" .`,
    expect: ['names exactly one agent', 'exactly one start time', 'exactly one end time', 'needs a checksum of its content', 'states exactly one algorithm',
      'exactly one value (spdx:checksumValue)', 'say what it produced or removed'],
  },
  // ---------------- compartment rows
  {
    id: 'rowOk', expect: [],
    ttl: `
${row('rowOk', 'neuron', 'n1')} a syndb:Neuron ; syndb:cid "n1" ; syndb:inDataset ${D('rowOk')} ; syndb:polarity "multipolar" ; syndb:neuronType "pyramidal" ;
  syndb:voxelVolume "12345"^^xsd:double ; syndb:centroidX "-12.5"^^xsd:double ; syndb:meshSphericity "1"^^xsd:double ;
  syndb:meshLocation "https://example.org/meshes/n1.glb"^^xsd:anyURI .
${row('rowOk', 'dendrite', 'd1')} a syndb:Dendrite ; syndb:cid "d1" ; syndb:inDataset ${D('rowOk')} ; syndb:parent ${row('rowOk', 'neuron', 'n1')} ;
  syndb:neuron ${row('rowOk', 'neuron', 'n1')} ; syndb:dendriticSpineCount 12 .
${row('rowOk', 'synapse', 's1')} a syndb:Synapse ; syndb:cid "s1" ; syndb:inDataset ${D('rowOk')} ; syndb:parent ${row('rowOk', 'pre-synaptic-terminal', 't1')} ;
  syndb:preSynaptic ${row('rowOk', 'pre-synaptic-terminal', 't1')} ; syndb:postSynaptic ${row('rowOk', 'dendritic-spine', 'sp1')} ;
  syndb:gabaProbability "0"^^xsd:double ; syndb:glutamateProbability "0.93"^^xsd:double ; syndb:connectionScore "0.5"^^xsd:double ;
  syndb:cleftScore "1.0"^^xsd:double ; syndb:caveId "864691135617152361" .
${row('rowOk', 'vesicle', 'v1')} a syndb:Vesicle ; syndb:cid "v1" ; syndb:inDataset ${D('rowOk')} ; syndb:parent ${row('rowOk', 'pre-synaptic-terminal', 't1')} ;
  syndb:neurotransmitter "glutamate" ; syndb:distanceToActiveZone "35.2"^^xsd:double ; syndb:minimumNormalLength "0"^^xsd:double .
ex:rowOk-axon9 a syndb:Axon ; syndb:cid "a9" ; syndb:inDataset ${D('rowOk')} ; syndb:terminalCount 0 ; syndb:mitochondriaCount 3 .
${row('rowOk', 'mitochondrion', 'm1')} a syndb:Mitochondrion ; syndb:cid "m1" ; syndb:inDataset ${D('rowOk')} ; syndb:parent ex:rowOk-axon9 ;
  syndb:meshVolume "1.5e6"^^xsd:double ; syndb:meshSurfaceArea "2.0e5"^^xsd:double ; syndb:meshAreaVolumeRatio "0.13"^^xsd:double .
${row('rowOk', 'endoplasmic-reticulum', 'er1')} a syndb:EndoplasmicReticulum ; syndb:cid "er1" ; syndb:inDataset <${EX}rowOk/datasets/demo/draft> ; syndb:ribosomeCount 40 .
${row('rowOk', 'dendritic-spine', 'sp1')} a syndb:DendriticSpine ; syndb:cid "sp1" ; syndb:inDataset ${D('rowOk')} ; syndb:parent ${row('rowOk', 'dendrite', 'd1')} ;
  syndb:formsSynapseWith ${row('rowOk', 'synapse', 's1')} .
${row('rowOk', 'pre-synaptic-terminal', 't1')} a syndb:PresynapticTerminal ; syndb:cid "t1" ; syndb:inDataset ${D('rowOk')} ; syndb:parent ex:rowOk-axon9 ;
  syndb:vesicleCount 210 ; syndb:totalVesicleVolume "1.2e6"^^xsd:double ; syndb:formsSynapseWith ${row('rowOk', 'dendritic-spine', 'sp1')} .
${row('rowOk', 'nucleus', 'nu1')} a syndb:Nucleus ; syndb:cid "nu1" ; syndb:inDataset ${D('rowOk')} ; syndb:neuron ${row('rowOk', 'neuron', 'n1')} .
`,
  },
  {
    id: 'rowBad',
    ttl: `${row('rowBad', 'synapse', 's1')} a syndb:Synapse ; syndb:inDataset ex:rowBad-other ; syndb:voxelVolume 12 ;
  syndb:meshSphericity "1.5"^^xsd:double ; syndb:gabaProbability "-0.1"^^xsd:double ; syndb:connectionScore "0.5" .`,
    expect: ['cid (the compartment id) is required', 'dataset_id (syndb:inDataset) is required exactly once', 'voxel_volume must be a single number (xsd:double) of 0 or more',
      'mesh_sphericity must be a single number (xsd:double) between 0 and 1', 'gaba_probability must be a single number (xsd:double) between 0 and 1',
      'connection_score must be a single number (xsd:double) between 0 and 1'],
  },
  {
    id: 'rowCounts',
    ttl: `${row('rowCounts', 'axon', 'a1')} a syndb:Axon ; syndb:cid "a1" ; syndb:inDataset ${D('rowCounts')} ; syndb:terminalCount -1 ; syndb:mitochondriaCount 2.0 .
${row('rowCounts', 'dendrite', 'd1')} a syndb:Dendrite ; syndb:cid "d1" ; syndb:inDataset ${D('rowCounts')} ; syndb:dendriticSpineCount "3" ; syndb:centroidX 1, 2 .`,
    expect: ['terminal_count must be a single whole number', 'mitochondria_count must be a single whole number', 'dendritic_spine_count must be a single whole number',
      'centroid_x must be a single number'],
  },
  {
    id: 'rowLinks',
    ttl: `${row('rowLinks', 'dendrite', 'd1')} a syndb:Dendrite ; syndb:cid "d1", "d2" ; syndb:inDataset ${D('rowLinks')} ; syndb:parent ${row('rowLinks', 'synapse', 's9')} ;
  syndb:meshLocation "not a link" .
${row('rowLinks', 'neuron', 'n1')} a syndb:Neuron ; syndb:cid "n1" ; syndb:inDataset ${D('rowLinks')} ; syndb:parent ${row('rowLinks', 'neuron', 'n0')} ; syndb:neuron ${row('rowLinks', 'neuron', 'n0')} .
${row('rowLinks', 'nucleus', 'nu1')} a syndb:Nucleus ; syndb:cid "nu1" ; syndb:inDataset ${D('rowLinks')} ; syndb:neuron ${row('rowLinks', 'dendrite', 'd1')} .
${row('rowLinks', 'dendritic-spine', 'sp1')} a syndb:DendriticSpine ; syndb:cid "sp1" ; syndb:inDataset ${D('rowLinks')} ; syndb:formsSynapseWith "s1" .
${row('rowLinks', 'vesicle', 'v1')} a syndb:Vesicle ; syndb:cid "v1" ; syndb:inDataset ${D('rowLinks')} ; syndb:parent ex:rowLinks-somewhere .`,
    expect: ['cid (the compartment id) is required exactly once', 'parent_id of a dendrite row must be a single link to a neuron row', 'mesh_location must be a single link',
      'parent_id must be empty for a neuron row', 'neuron_id must be empty for a neuron row', 'neuron_id must be a single link to a neuron row',
      'forms_synapse_with must contain links to compartment rows', 'parent_id of a vesicle row must be a single link to a pre-synaptic terminal, axon, dendrite, dendritic spine or neuron row'],
  },
];

interface Result { focus: string; message: string; path?: string; shape?: string }
const caseOf = (focus: string): string => {
  if (!focus.startsWith(EX)) return focus.startsWith('https://doi.org/') ? 'dsFull' : `(other) ${focus}`;
  return /^[A-Za-z0-9]+/.exec(focus.slice(EX.length))![0];
};

function readJenaReport(ttl: string): { conforms: boolean; results: Result[] } {
  const st = storeOf(new Parser({ format: 'text/turtle' }).parse(ttl) as Quad[]);
  const report = subjs(st, RDF + 'type', SH + 'ValidationReport')[0]!;
  const conforms = objs(st, report, SH + 'conforms')[0]!.value === 'true';
  const results = objs(st, report, SH + 'result').map((r) => ({
    focus: objs(st, r, SH + 'focusNode')[0]!.value,
    message: objs(st, r, SH + 'resultMessage')[0]?.value ?? '(no message)',
    path: objs(st, r, SH + 'resultPath')[0]?.value,
    shape: objs(st, r, SH + 'sourceShape')[0]?.value,
  }));
  return { conforms, results };
}

describe.skipIf(!existsSync(JENA))('validation: Apache Jena and shacl-engine', () => {
  const dataTtl = PREFIXES + VOCAB + CASES.map((c) => `# ---- ${c.id}\n${c.ttl}`).join('\n\n');
  let jena: Result[] = [];
  let engine: Result[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syndb-shapes-'));
    const shapesPath = join(dir, 'shapes.ttl');
    const dataPath = join(dir, 'data.ttl');
    // Merge the shapes files for Jena: concatenating Turtle files is fine (same prefixes, no blank node labels).
    writeFileSync(shapesPath, SHAPE_FILES.map((f) => readFileSync(f, 'utf8')).join('\n'));
    writeFileSync(dataPath, dataTtl);
    const r = spawnSync(JENA, ['shacl', 'validate', '--shapes', shapesPath, '--data', dataPath], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`jena shacl failed (${r.status}): ${r.stderr}`);
    jena = readJenaReport(r.stdout).results;

    const dataStore = storeOf(new Parser({ format: 'text/turtle' }).parse(dataTtl) as Quad[]);
    const validator = new Validator(shapes, { factory: { ...DataFactory, dataset: (qs?: Quad[]) => storeOf(qs ?? []) } as never });
    const report = await validator.validate({ dataset: dataStore });
    engine = report.results.map((res) => ({
      focus: res.focusNode.term!.value,
      message: res.message.map((m) => m.value).join(' '),
      shape: res.shape.ptr.term?.termType === 'NamedNode' ? res.shape.ptr.term.value : undefined,
    }));
  }, 120_000);

  it('the test data parse and every result belongs to a case', () => {
    expect(jena.length).toBeGreaterThan(50);
    expect(jena.filter((r) => caseOf(r.focus).startsWith('(other)'))).toEqual([]);
    expect(jena.filter((r) => r.message === '(no message)')).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.id}: ${c.expect.length === 0 ? 'conforms' : `violates ${c.expect.length} constraint(s) as intended`}`, () => {
      const messages = [...new Set(jena.filter((r) => caseOf(r.focus) === c.id).map((r) => r.message))].sort();
      if (c.expect.length === 0) { expect(messages).toEqual([]); return; }
      for (const e of c.expect) expect(messages.some((m) => m.includes(e)), `expected a violation "${e}"; got:\n${messages.join('\n')}`).toBe(true);
      for (const m of messages) expect(c.expect.some((e) => m.includes(e)), `unexpected violation "${m}"`).toBe(true);
    });
  }

  it('shacl-engine (used by src/shacl) reports exactly what Jena reports', () => {
    const key = (r: Result) => `${r.focus} | ${r.message}`;
    const j = [...new Set(jena.map(key))].sort();
    const e = [...new Set(engine.map(key))].sort();
    expect(e).toEqual(j);
  });
});
