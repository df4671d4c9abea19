/**
 * The example datasets in examples/: the JSON upload forms, the Dendritic Consortium sample
 * metadata tables, the synthetic SynDB-style compartment tables, and the L4 dataset as Turtle and
 * JSON-LD (which must carry the same graph as its JSON form).
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, copyFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import N3 from 'n3';
import jsonld from 'jsonld';
import canonize from 'rdf-canonize';
import { NS, expandCurie } from '../src/model/namespaces.js';
import { Iris } from '../src/model/iris.js';
import { parseDatasetInput, type InputFormat } from '../src/model/parse-input.js';
import type { TermResolver } from '../src/model/dataset-json.js';
import { toNQuads, parseRdf } from '../src/util/rdf.js';
import { loadVocabulary } from '../src/model/vocabulary.js';
import { loadShapes } from '../src/shacl/shapes.js';
import { validate } from '../src/shacl/validator.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EX = join(ROOT, 'examples');
import { JENA } from './helpers/shared.js';

type Row = Record<string, string>;
const readCsv = (path: string): Row[] => parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
const csvHeader = (path: string) => readFileSync(path, 'utf8').split('\n')[0].split(',');

// ---------------------------------------------------------------------------------------------
// Dataset JSON files
// ---------------------------------------------------------------------------------------------

const JSON_FILES = [
  'l4dense-motta2019.json',
  'microns-minnie65-v117.json',
  'dendritic-consortium-mouse-v1.json',
  'dendritic-consortium-hydra.json',
  'syndb-style/dataset.json',
];
/** INTERFACE.md "Dataset JSON" plus the documented extensions (creators[].type/ror, publications[].relation, ...). */
const KNOWN_FIELDS = new Set(['id', 'title', 'description', 'creators', 'license', 'species', 'strain', 'specimens', 'brainRegion',
  'microscopyMethod', 'geneticManipulations', 'compartments', 'publications', 'keywords', 'tags', 'derivedFrom', 'identifiers',
  'access', 'embargoEndDate', 'doi', 'notes', 'sourceTables']);
const METHODS = ['SBEM', 'ssTEM', 'ATUM-SEM', 'FIB-SEM', 'ExM', 'two-photon', 'confocal', 'light-sheet', 'micro-CT', 'X-ray'];
const EXPRESSION = ['knock-out', 'knock-in', 'knock-down', 'knock-sideways', 'overexpression'];
const COMPARTMENTS = ['neuron', 'dendrite', 'axon', 'pre-synaptic-terminal', 'synapse', 'dendritic-spine', 'endoplasmic-reticulum',
  'nucleus', 'vesicle', 'mitochondrion'];
/** Terms an example needs that the reference ontologies lack (see examples/README.md). */
const KNOWN_GAPS: Record<string, string> = {};
const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const DOI = /^10\.\d{4,9}\/\S+$/;

let shapesCache: ReturnType<typeof loadShapes> | undefined;
const shapes = () => (shapesCache ??= loadShapes(join(ROOT, 'shapes')));
/** Vocabulary and ontology triples the shapes' sh:class constraints need (types of referenced terms). */
let typingCache: Promise<ReturnType<typeof parseRdf>> | undefined;
const typing = () => (typingCache ??= (async () => [
  ...parseRdf((await loadVocabulary()).nTriples(), 'application/n-triples'),
  ...parseRdf(readFileSync(join(ROOT, 'ontologies', 'syndb.ttl'), 'utf8'), 'text/turtle'),
])());

const examples = JSON_FILES.map((f) => ({ file: f, json: readJson(join(EX, f)) }));

describe('dataset JSON examples', () => {
  it('every JSON file in examples/ is one of the listed examples', () => {
    const found = [
      ...readdirSync(EX).filter((f) => f.endsWith('.json')),
      ...readdirSync(join(EX, 'syndb-style')).filter((f) => f.endsWith('.json')).map((f) => `syndb-style/${f}`),
    ].sort();
    expect(found).toEqual([...JSON_FILES].sort());
  });

  it('ids are unique slugs; top-level files are named after their id', () => {
    const ids = examples.map((e) => e.json.id);
    for (const id of ids) expect(id, `id ${id}`).toMatch(SLUG);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of examples) if (!e.file.includes('/')) expect(e.file).toBe(`${e.json.id}.json`);
  });

  for (const { file, json: d } of examples) {
    describe(file, () => {
      it('has only known fields and every required INTERFACE field', () => {
        const unknown = Object.keys(d).filter((k) => !KNOWN_FIELDS.has(k));
        expect(unknown, `unknown fields in ${file}`).toEqual([]);
        for (const f of ['title', 'description', 'license', 'species', 'brainRegion', 'microscopyMethod', 'notes']) {
          expect(typeof d[f] === 'string' && d[f].trim().length > 0, `${file}: "${f}" must be a non-empty string`).toBe(true);
        }
        expect(['public', 'private', 'embargoed']).toContain(d.access);
        expect(Array.isArray(d.keywords) && d.keywords.length > 0, `${file}: keywords`).toBe(true);
        expect(Array.isArray(d.identifiers) && d.identifiers.length > 0, `${file}: identifiers`).toBe(true);
      });

      it('creators are "Family, Given" persons or organisations, in a stated order', () => {
        expect(d.creators.length).toBeGreaterThan(0);
        for (const c of d.creators) {
          expect(['Person', 'Organization']).toContain(c.type);
          if (c.type === 'Person') expect(c.name, `person name ${c.name}`).toMatch(/^[^,]+, [^,]+$/);
          if (c.affiliation !== undefined) expect(typeof c.affiliation).toBe('string');
        }
      });

      it('controlled values are CURIEs or names from the documented lists', () => {
        expect(d.species).toMatch(/^NCBITaxon:\d+$/);
        expect(d.brainRegion).toMatch(/^(MBA|UBERON):\d+$/);
        expect(METHODS).toContain(d.microscopyMethod);
        expect(['CC-BY-4.0', 'CC0-1.0']).toContain(d.license);
        for (const c of d.compartments) expect(COMPARTMENTS).toContain(c);
        expect(new Set(d.compartments).size).toBe(d.compartments.length);
        for (const g of d.geneticManipulations ?? []) {
          expect(typeof g.gene).toBe('string');
          expect(EXPRESSION).toContain(g.expression);
        }
      });

      it('publications and derivedFrom are well formed', () => {
        for (const p of d.publications ?? []) {
          expect(p.doi).toMatch(DOI);
          expect(['isSupplementTo', 'references']).toContain(p.relation ?? 'isSupplementTo');
          if (p.year !== undefined) expect(Number.isInteger(p.year)).toBe(true);
        }
        const tables = new Map((d.sourceTables ?? []).map((t: any) => [`${t.name}@${t.version}`, t]));
        for (const x of d.derivedFrom ?? []) {
          if (typeof x === 'string') expect(DOI.test(x) || /^https?:\/\/\S+$/.test(x) || SLUG.test(x), `derivedFrom ${x}`).toBe(true);
          else if ('url' in x || 'doi' in x) {
            expect(x.url === undefined || /^https?:\/\/\S+$/.test(x.url), `derivedFrom ${x.url}`).toBe(true);
            expect(x.doi === undefined || DOI.test(x.doi), `derivedFrom ${x.doi}`).toBe(true);
            expect(typeof x.title, 'a named external source has a title').toBe('string');
          } else {
            const t = tables.get(`${x.sourceTable}@${x.version}`) as any;
            expect(t, `derivedFrom ${x.sourceTable}@${x.version} names a listed source table`).toBeDefined();
            expect(x.timestamp).toBe(t.timestamp);
            expect(x.system).toBe(t.system);
          }
        }
      });

      it('converts to RDF with the project converter and vocabulary, and conforms to shapes/', async () => {
        const r = await parse(readFileSync(join(EX, file), 'utf8'), 'json', d.id);
        if (d.brainRegion in KNOWN_GAPS) {
          // the only problem is the missing vocabulary term; when the vocabulary gains it, remove the gap
          expect(r.problems.map((p) => [p.path, p.value])).toEqual([['brainRegion', d.brainRegion]]);
          return;
        }
        expect(r.problems).toEqual([]);
        expect(r.quads.length).toBeGreaterThan(20);
        const report = await validate(await shapes(), toNQuads(r.quads), { extraQuads: await typing() });
        expect(report.results.map((x) => `${x.path} ${x.value ?? ''}: ${x.message}`)).toEqual([]);
        expect(report.conforms).toBe(true);
      }, 30_000);
    });
  }

  it('L4: nine authors in the repository order, the article and the four method papers', () => {
    const d = examples.find((e) => e.json.id === 'l4dense-motta2019')!.json;
    expect(d.creators.map((c: any) => c.name)).toEqual(['Motta, Alessandro', 'Berning, Manuel', 'Boergens, Kevin M.',
      'Staffler, Benedikt', 'Beining, Marcel', 'Loomba, Sahil', 'Hennig, Philipp', 'Wissler, Heiko', 'Helmstaedter, Moritz']);
    expect(d.brainRegion).toBe('MBA:1047');
    const byRelation = (r: string) => d.publications.filter((p: any) => (p.relation ?? 'isSupplementTo') === r).map((p: any) => p.doi);
    expect(byRelation('isSupplementTo')).toEqual(['10.1126/science.aay3134']);
    expect(byRelation('references').sort()).toEqual(['10.1016/j.neuron.2015.09.003', '10.1038/ncomms8923', '10.1038/nmeth.4331', '10.7554/eLife.26414']);
    // derived from the EM volume (in the data repository) and the four papers it was previously published in
    expect(d.derivedFrom[0]).toEqual({ url: 'https://l4dense2019.brain.mpg.de/webdav', title: expect.stringMatching(/^Electron microscopy volume/) });
    expect(d.derivedFrom.slice(1).sort()).toEqual(byRelation('references').sort());
  });

  it('MICrONS: four v117 CAVE tables, the synapse row count and the two deprecations', () => {
    const d = examples.find((e) => e.json.id === 'microns-minnie65-v117')!.json;
    expect(d.sourceTables.map((t: any) => t.name)).toEqual(['synapses_pni_2', 'nucleus_detection_v0', 'nucleus_neuron_svm', 'allen_soma_coarse_cell_class_model_v1']);
    for (const t of d.sourceTables) {
      expect(t).toMatchObject({ system: 'CAVE', version: 117, timestamp: '2021-06-11T08:10:00.215114Z' });
      expect(t.description.length).toBeGreaterThan(20);
    }
    expect(d.sourceTables[0].rowCount).toBe(337000000);
    expect(Object.fromEntries(d.sourceTables.filter((t: any) => t.supersededBy).map((t: any) => [t.name, t.supersededBy]))).toEqual({
      nucleus_neuron_svm: 'nucleus_ref_neuron_svm', allen_soma_coarse_cell_class_model_v1: 'aibs_metamodel_celltypes_v661' });
    expect(d.creators).toEqual([{ name: 'MICrONS Consortium', type: 'Organization' }]);
  });

  it('CURIEs of controlled values are in our vocabularies (when built); the known gaps are still gaps', () => {
    const files = existsSync(join(ROOT, 'ontologies')) ? readdirSync(join(ROOT, 'ontologies')).filter((f) => /^vocab-.*\.ttl$/.test(f)) : [];
    if (files.length === 0) {
      console.warn('examples.test: ontologies/vocab-*.ttl not built yet; vocabulary membership not checked');
      return;
    }
    const subjects = new Set<string>();
    for (const f of files) {
      for (const q of new N3.Parser().parse(readFileSync(join(ROOT, 'ontologies', f), 'utf8'))) subjects.add(q.subject.value);
    }
    // KNOWN_GAPS: when the vocabulary gains one of them, this test fails so the entry is removed.
    for (const { file, json: d } of examples) {
      for (const curie of [d.species, d.brainRegion]) {
        const present = subjects.has(expandCurie(curie)!);
        if (curie in KNOWN_GAPS) expect(present, `${curie} is now in the vocabulary: remove it from KNOWN_GAPS`).toBe(false);
        else expect(present, `${file}: ${curie} not found in ontologies/vocab-*.ttl`).toBe(true);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The three forms of the L4 dataset give the same graph
// ---------------------------------------------------------------------------------------------

const vocabulary = (await loadVocabulary()) as unknown as TermResolver;
const iris = new Iris('https://syndb.example.org');
const parse = (body: string, format: InputFormat, id: string) => parseDatasetInput(body, format, { iris, vocabulary, id });

async function canonical(nquads: string): Promise<string> {
  return canonize.canonize(nquads, { algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads' } as never);
}

/** A JSON-LD document loader that serves files of this project only: never the network. */
const localLoader = async (url: string) => {
  const path = url.startsWith('file:') ? fileURLToPath(url) : undefined;
  if (!path || !path.startsWith(ROOT + '/') || !existsSync(path)) throw new Error(`not a local file of the project: ${url}`);
  return { contextUrl: undefined, documentUrl: url, document: JSON.parse(readFileSync(path, 'utf8')) };
};

describe('L4 dataset as Turtle and JSON-LD', () => {
  const ttlPath = join(EX, 'forms', 'l4dense-motta2019.ttl');
  const jsonldPath = join(EX, 'forms', 'l4dense-motta2019.jsonld');

  it('the Turtle form parses with N3 and has one dataset node <>', () => {
    const base = 'https://syndb.example.org/datasets/l4dense-motta2019/draft';
    const quads = new N3.Parser({ baseIRI: base }).parse(readFileSync(ttlPath, 'utf8'));
    const datasets = quads.filter((q) => q.predicate.value === NS.rdf + 'type' && q.object.value === NS.dcat + 'Dataset');
    expect(datasets.map((q) => q.subject.value)).toEqual([base]);
    expect(quads.length).toBeGreaterThan(100);
  });

  it('the JSON-LD form expands offline with a local-files-only document loader', async () => {
    const doc = JSON.parse(readFileSync(jsonldPath, 'utf8'));
    expect(doc['@context']).toBe('../../ontologies/context.jsonld');
    const base = pathToFileURL(jsonldPath).href;
    const nq = (await jsonld.toRDF(doc, { base, format: 'application/n-quads', documentLoader: localLoader as never, safe: true } as never)) as unknown as string;
    const quads = new N3.Parser({ format: 'application/n-quads' }).parse(nq);
    expect(quads.some((q) => q.subject.value === base && q.object.value === NS.syndb + 'DatasetVersion')).toBe(true);
    // a loader that refuses everything proves nothing is fetched from elsewhere
    await expect(jsonld.toRDF(doc, { base: 'https://example.org/x', documentLoader: localLoader as never } as never)).rejects.toThrow();
  });

  it('JSON, Turtle and JSON-LD give the same graph (RDFC-1.0 canonical N-Quads)', async () => {
    const forms = await Promise.all([
      parse(readFileSync(join(EX, 'l4dense-motta2019.json'), 'utf8'), 'json', 'l4dense-motta2019'),
      parse(readFileSync(ttlPath, 'utf8'), 'turtle', 'l4dense-motta2019'),
      parse(readFileSync(jsonldPath, 'utf8'), 'jsonld', 'l4dense-motta2019'),
    ]);
    const [json, ttl, ld] = await Promise.all(forms.map((f) => canonical(toNQuads(f.quads))));
    const lines = (s: string) => s.split('\n').filter(Boolean);
    expect(lines(json).length).toBeGreaterThan(100);
    expect(lines(ttl)).toEqual(lines(json));
    expect(lines(ld)).toEqual(lines(json));
  });

  it.skipIf(!existsSync(JENA))('Apache Jena riot accepts the Turtle form', () => {
    // riot exits non-zero and prints the error on invalid input; the base makes <> absolute.
    const out = execFileSync(JENA, ['riot', '--validate', '--base=https://syndb.example.org/datasets/l4dense-motta2019/draft', ttlPath],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    expect(out).not.toMatch(/ERROR|WARN/);
  }, 300_000);
});

// ---------------------------------------------------------------------------------------------
// Dendritic Consortium sample tables
// ---------------------------------------------------------------------------------------------

const DC = join(EX, 'dendritic-consortium', 'tables');
/** domain-tables.md section 2: columns, id prefix and the labs that produce each object type. */
const DC_TABLES: Record<string, { columns: string[]; id: string; prefix: string; labs: string[] }> = {
  analysis: { columns: ['analysis_id', 'source_type', 'source_id', 'description', 'file_path', 'notes'], id: 'analysis_id', prefix: 'A', labs: ['ML', 'RY', 'JB', 'EN', 'JL', 'IS'] },
  behavior: { columns: ['behavior_id', 'session_id', 'metric_type', 'task', 'injection', 'file_path_raw', 'file_path_processed', 'file_path_script', 'notes'], id: 'behavior_id', prefix: 'B', labs: ['JB'] },
  cell_detection_dataset: { columns: ['cell_dataset_id', 'mouse_id', 'tool', 'start_date', 'end_date', 'file_path_local', 'file_path', 'notes'], id: 'cell_dataset_id', prefix: 'CD', labs: ['JL'] },
  ephys: { columns: ['ephys_id', 'session_id', 'recording_type', 'processing_methods', 'sampling_rate', 'file_path_raw', 'file_path_processed', 'file_path_script', 'notes'], id: 'ephys_id', prefix: 'E', labs: ['RY', 'JB'] },
  image: { columns: ['image_id', 'session_id', 'image_type', 'frame_rate', 'x', 'y', 'z', 'pixel_size', 'numerical_aperture', 'objective_magn', 'exposure_time', 'laser_power', 'laser_line', 'processing_methods', 'roi_tool', 'file_path_raw', 'file_path_processed', 'file_path_roi', 'file_path_script', 'notes'], id: 'image_id', prefix: 'IMG', labs: ['ML', 'RY', 'JB', 'EN'] },
  micro_ct_dataset: { columns: ['micro_ct_id', 'mouse_id', 'voxel_size', 'contrast_agent', 'start_date', 'end_date', 'file_path_local', 'file_path', 'notes'], id: 'micro_ct_id', prefix: 'MD', labs: ['JL'] },
  model: { columns: ['model_id', 'model_type', 'model_version', 'file_path_model', 'file_path_script', 'description', 'notes'], id: 'model_id', prefix: 'MOD', labs: ['IS'] },
  mouse: { columns: ['litter_id', 'mouse_id', 'strain', 'genotype', 'cre_line', 'sex', 'birth_date', 'weight', 'plasmid_id', 'virus_id', 'notes'], id: 'mouse_id', prefix: 'M', labs: ['ML', 'RY', 'JB', 'EN'] },
  plasmid: { columns: ['plasmid_id', 'plasmid_name', 'gene', 'indicator', 'wavelength', 'backbone', 'promoter', 'tuning', 'notes'], id: 'plasmid_id', prefix: 'P', labs: ['ML', 'EN'] },
  sem_dataset: { columns: ['sem_dataset_id', 'mouse_id', 'section', 'resolution', 'start_date', 'end_date', 'file_path_local', 'file_path_raw', 'file_path_processed', 'file_path_viewer', 'file_path_script', 'notes'], id: 'sem_dataset_id', prefix: 'SD', labs: ['JL'] },
  session: { columns: ['session_id', 'mouse_id', 'experimenter', 'session_date', 'start_time', 'end_time', 'anesthesia', 'notes'], id: 'session_id', prefix: 'S', labs: ['ML', 'RY', 'JB', 'EN'] },
  virus: { columns: ['virus_id', 'virus_name', 'plasmid_id', 'serotype', 'floxed', 'titer', 'notes'], id: 'virus_id', prefix: 'V', labs: ['ML', 'RY'] },
};
/** Foreign keys: column -> table whose id it names. */
const DC_FKS: Record<string, Record<string, string>> = {
  behavior: { session_id: 'session' }, ephys: { session_id: 'session' }, image: { session_id: 'session' },
  session: { mouse_id: 'mouse' }, cell_detection_dataset: { mouse_id: 'mouse' }, micro_ct_dataset: { mouse_id: 'mouse' },
  sem_dataset: { mouse_id: 'mouse' }, mouse: { plasmid_id: 'plasmid', virus_id: 'virus' }, virus: { plasmid_id: 'plasmid' },
};
const dc = Object.fromEntries(Object.keys(DC_TABLES).map((t) => [t, readCsv(join(DC, `${t}.csv`))])) as Record<string, Row[]>;
const dcIds = (t: string) => new Set(dc[t].map((r) => r[DC_TABLES[t].id]));

function validDate(s: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}
const dayNumber = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8)) / 86_400_000;

describe('Dendritic Consortium sample tables', () => {
  it('the folder holds exactly the twelve tables', () => {
    expect(readdirSync(DC).sort()).toEqual(Object.keys(DC_TABLES).map((t) => `${t}.csv`).sort());
  });

  for (const [table, spec] of Object.entries(DC_TABLES)) {
    it(`${table}: columns, 2-4 rows, ids [Lab]_${spec.prefix}_NNNN from a producing lab, unique`, () => {
      expect(csvHeader(join(DC, `${table}.csv`))).toEqual(spec.columns);
      const rows = dc[table];
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.length).toBeLessThanOrEqual(table === 'analysis' ? 6 : 4);
      const re = new RegExp(`^(${spec.labs.join('|')})_${spec.prefix}_\\d{4}$`);
      for (const r of rows) expect(r[spec.id], `${table}.${spec.id}`).toMatch(re);
      expect(dcIds(table).size).toBe(rows.length);
      for (const r of rows) expect(r.notes, `${table} ${r[spec.id]}: notes must mark the row as sample data`).toMatch(/sample/);
    });
  }

  it('litter ids are [Lab]_L_NNNN of the same lab as the mouse', () => {
    for (const r of dc.mouse) {
      expect(r.litter_id).toMatch(/^(ML|RY|JB|EN)_L_\d{4}$/);
      expect(r.litter_id.slice(0, 2)).toBe(r.mouse_id.slice(0, 2));
    }
  });

  it('every foreign key resolves to a row of the referenced table', () => {
    for (const [table, fks] of Object.entries(DC_FKS)) {
      for (const r of dc[table]) {
        for (const [col, target] of Object.entries(fks)) {
          if (r[col] === '' && table === 'mouse') continue; // plasmid/virus are optional for a mouse
          expect(dcIds(target).has(r[col]), `${table} ${r[DC_TABLES[table].id]}: ${col}=${r[col]} not in ${target}`).toBe(true);
        }
      }
    }
    for (const r of dc.analysis) {
      expect(Object.keys(DC_TABLES)).toContain(r.source_type);
      expect(dcIds(r.source_type).has(r.source_id), `analysis ${r.analysis_id}: ${r.source_type} ${r.source_id}`).toBe(true);
    }
  });

  it('dates are YYYYMMDD, times HH:MM, intervals end after they start', () => {
    for (const r of dc.mouse) expect(validDate(r.birth_date), r.birth_date).toBe(true);
    for (const r of dc.session) {
      expect(validDate(r.session_date), r.session_date).toBe(true);
      expect(r.start_time).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
      expect(r.end_time).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
      expect(r.end_time > r.start_time).toBe(true);
      const mouse = dc.mouse.find((m) => m.mouse_id === r.mouse_id)!;
      expect(dayNumber(r.session_date)).toBeGreaterThan(dayNumber(mouse.birth_date));
    }
    for (const t of ['cell_detection_dataset', 'micro_ct_dataset', 'sem_dataset']) {
      for (const r of dc[t]) {
        expect(validDate(r.start_date) && validDate(r.end_date)).toBe(true);
        expect(r.end_date >= r.start_date).toBe(true);
      }
    }
  });

  it('values have the documented types and plausible units', () => {
    for (const r of dc.mouse) {
      expect(['M', 'F']).toContain(r.sex);
      expect(r.strain.split(';').length, `${r.mouse_id}: one genotype per strain locus`).toBe(r.genotype.split(';').length);
      for (const g of r.genotype.split(';')) expect(g).toMatch(/^[+-]\/[+-]$/);
      expect(Number(r.weight)).toBeGreaterThan(10);
      expect(Number(r.weight)).toBeLessThan(50);
    }
    for (const r of dc.image) {
      expect(['voltage', 'calcium', 'fluorescence']).toContain(r.image_type);
      for (const c of ['x', 'y', 'z', 'laser_line']) expect(r[c], `${r.image_id}.${c}`).toMatch(/^\d+$/);
      for (const c of ['frame_rate', 'pixel_size', 'numerical_aperture', 'exposure_time', 'laser_power']) expect(Number(r[c])).toBeGreaterThan(0);
      expect(Number(r.numerical_aperture)).toBeLessThanOrEqual(1.5);
    }
    for (const r of dc.ephys) expect(r.sampling_rate).toMatch(/^\d+\.\d+$/);
    for (const r of dc.plasmid) expect(r.wavelength).toMatch(/^\d{3}$/);
    for (const r of dc.virus) {
      expect(['true', 'false']).toContain(r.floxed);
      expect(Number(r.titer)).toBeGreaterThan(1e9);
    }
  });

  it('file paths follow s3://dendritic-consortium-open-data/lab/YYYYMMDD/object-type/version/', () => {
    for (const [table, spec] of Object.entries(DC_TABLES)) {
      for (const r of dc[table]) {
        for (const col of spec.columns.filter((c) => c.startsWith('file_path') && !['file_path_local', 'file_path_viewer'].includes(c))) {
          if (r[col] === '') continue;
          const m = /^s3:\/\/dendritic-consortium-open-data\/([A-Z]{2})\/(\d{8})\/([a-z_]+)\/(raw|processed|roi|script)\/\S+$/.exec(r[col]);
          expect(m, `${table}.${col} = ${r[col]}`).not.toBeNull();
          expect(m![1]).toBe(r[spec.id].slice(0, 2));
          expect(validDate(m![2])).toBe(true);
          expect(m![3]).toBe(table);
        }
      }
    }
    // session-bound records are stored under their session's date
    for (const t of ['image', 'ephys', 'behavior']) {
      for (const r of dc[t]) {
        const date = dc.session.find((s) => s.session_id === r.session_id)!.session_date;
        expect(r.file_path_raw).toContain(`/${date}/`);
      }
    }
  });

  it('the mouse dataset JSON cites sample records that exist, with matching specimen facts', () => {
    const d = examples.find((e) => e.json.id === 'dendritic-consortium-mouse-v1')!.json;
    const all = new Set(Object.keys(DC_TABLES).flatMap((t) => [...dcIds(t)]));
    for (const id of d.identifiers) expect(all.has(id), `identifier ${id}`).toBe(true);
    for (const s of d.specimens) {
      const m = dc.mouse.find((r) => r.mouse_id === s.id)!;
      expect(m, `specimen ${s.id}`).toBeDefined();
      expect([s.sex, s.genotype, s.strain]).toEqual([m.sex, m.genotype, m.strain]);
      const first = dc.session.filter((x) => x.mouse_id === s.id).map((x) => x.session_date).sort()[0];
      expect(s.age).toBe(`P${dayNumber(first) - dayNumber(m.birth_date)}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// SynDB-style compartment tables
// ---------------------------------------------------------------------------------------------

const SS = join(EX, 'syndb-style');
const LINK = ['cid', 'parent_id', 'parent_table', 'neuron_id'];
const SHARED = ['voxel_volume', 'voxel_radius', 'mesh_volume', 'mesh_surface_area', 'mesh_area_volume_ratio', 'mesh_sphericity', 'centroid_x', 'centroid_y', 'centroid_z'];
const NT = ['GABA', 'acetylcholine', 'glutamate', 'octopamine', 'serine', 'dopamine'];
const SS_TABLES: Record<string, string[]> = {
  neuron: ['polarity', 'neuron_type', 'direction'],
  dendrite: ['dendritic_spine_count'],
  'dendritic-spine': ['forms_synapse_with'],
  synapse: ['connection_score', 'cleft_score', ...NT, 'cave_id', 'pre_id', 'post_id'],
  mitochondrion: [],
};
const ss = Object.fromEntries(Object.keys(SS_TABLES).map((t) => [t, readCsv(join(SS, `${t}.csv`))])) as Record<string, Row[]>;
const byCid = (t: string) => new Map(ss[t].map((r) => [r.cid, r]));

describe('SynDB-style compartment tables', () => {
  it('the dataset lists exactly the compartment tables present', () => {
    const d = readJson(join(SS, 'dataset.json'));
    const csvs = readdirSync(SS).filter((f) => f.endsWith('.csv')).map((f) => basename(f, '.csv'));
    expect([...d.compartments].sort()).toEqual(csvs.sort());
    expect(d.description).toMatch(/SYNTHETIC/);
  });

  for (const [table, extra] of Object.entries(SS_TABLES)) {
    it(`${table}: SynDB columns, 5-20 rows, unique UUID cids, plausible morphology`, () => {
      expect(csvHeader(join(SS, `${table}.csv`))).toEqual([...LINK, ...SHARED, ...extra]);
      const rows = ss[table];
      expect(rows.length).toBeGreaterThanOrEqual(5);
      expect(rows.length).toBeLessThanOrEqual(20);
      for (const r of rows) {
        expect(r.cid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        const n = Object.fromEntries(SHARED.map((c) => [c, Number(r[c])]));
        for (const c of SHARED) expect(Number.isFinite(n[c]), `${table} ${r.cid}.${c}`).toBe(true);
        for (const c of ['voxel_volume', 'voxel_radius', 'mesh_volume', 'mesh_surface_area', 'mesh_area_volume_ratio']) expect(n[c]).toBeGreaterThan(0);
        expect(n.mesh_sphericity).toBeGreaterThan(0);
        expect(n.mesh_sphericity).toBeLessThanOrEqual(1);
        // the numbers agree with each other: sphericity, area/volume ratio, equal-volume radius
        const psi = (Math.cbrt(Math.PI) * Math.pow(6 * n.mesh_volume, 2 / 3)) / n.mesh_surface_area;
        expect(Math.abs(psi - n.mesh_sphericity)).toBeLessThan(0.002);
        expect(Math.abs(n.mesh_area_volume_ratio / (n.mesh_surface_area / n.mesh_volume) - 1)).toBeLessThan(1e-3);
        expect(Math.abs(n.voxel_radius / Math.cbrt((3 * n.voxel_volume) / (4 * Math.PI)) - 1)).toBeLessThan(1e-3);
        expect(Math.abs(n.mesh_volume / n.voxel_volume - 1)).toBeLessThan(0.06);
        for (const c of ['centroid_x', 'centroid_y', 'centroid_z']) expect(n[c]).toBeGreaterThan(0);
      }
    });
  }

  it('cids are unique across all tables', () => {
    const all = Object.values(ss).flat().map((r) => r.cid);
    expect(new Set(all).size).toBe(all.length);
  });

  it('parent_id resolves in parent_table, neuron_id in neuron.csv, and both agree', () => {
    for (const [table, rows] of Object.entries(ss)) {
      for (const r of rows) {
        if (table === 'neuron') {
          expect([r.parent_id, r.parent_table, r.neuron_id]).toEqual(['', '', '']);
          continue;
        }
        expect(Object.keys(SS_TABLES)).toContain(r.parent_table);
        const parent = byCid(r.parent_table).get(r.parent_id);
        expect(parent, `${table} ${r.cid}: parent ${r.parent_table}/${r.parent_id}`).toBeDefined();
        expect(byCid('neuron').has(r.neuron_id), `${table} ${r.cid}: neuron ${r.neuron_id}`).toBe(true);
        expect(r.neuron_id).toBe(r.parent_table === 'neuron' ? r.parent_id : parent!.neuron_id);
      }
    }
  });

  it('sizes follow the hierarchy: neuron > dendrite > spine > synapse', () => {
    const max = (t: string) => Math.max(...ss[t].map((r) => Number(r.voxel_volume)));
    const min = (t: string) => Math.min(...ss[t].map((r) => Number(r.voxel_volume)));
    expect(min('neuron')).toBeGreaterThan(max('dendrite'));
    expect(min('dendrite')).toBeGreaterThan(max('dendritic-spine'));
    expect(min('dendritic-spine')).toBeGreaterThan(max('synapse'));
  });

  it('synapses: scores and neurotransmitter probabilities in [0, 1], probabilities sum to 1, partners resolve', () => {
    const spines = byCid('dendritic-spine');
    for (const s of ss.synapse) {
      for (const c of ['connection_score', 'cleft_score', ...NT]) {
        expect(Number(s[c]), `${s.cid}.${c}`).toBeGreaterThanOrEqual(0);
        expect(Number(s[c]), `${s.cid}.${c}`).toBeLessThanOrEqual(1);
      }
      expect(Math.abs(NT.reduce((a, c) => a + Number(s[c]), 0) - 1)).toBeLessThan(0.005);
      expect(s.cave_id).toMatch(/^\d+$/);
      expect(byCid('neuron').has(s.pre_id), `synapse ${s.cid}: pre_id ${s.pre_id}`).toBe(true);
      expect(s.pre_id).not.toBe(s.neuron_id); // no autapses
      expect(s.post_id).toBe(s.parent_id);
      if (s.parent_table === 'dendritic-spine') expect(spines.get(s.post_id)!.forms_synapse_with).toBe(s.cid);
      else expect(s.parent_table).toBe('dendrite');
      // inhibitory presynaptic neurons release GABA, excitatory ones glutamate
      const pre = byCid('neuron').get(s.pre_id)!;
      const top = NT.reduce((a, c) => (Number(s[c]) > Number(s[a]) ? c : a));
      expect(top).toBe(pre.neuron_type === 'interneuron' ? 'GABA' : 'glutamate');
    }
    const cave = ss.synapse.map((s) => s.cave_id);
    expect(new Set(cave).size).toBe(cave.length);
  });

  it('spines name the synapse they form; dendrites count their spines', () => {
    const synapses = byCid('synapse');
    for (const sp of ss['dendritic-spine']) {
      if (sp.forms_synapse_with) expect(synapses.get(sp.forms_synapse_with)!.post_id).toBe(sp.cid);
    }
    for (const d of ss.dendrite) {
      expect(Number(d.dendritic_spine_count)).toBe(ss['dendritic-spine'].filter((s) => s.parent_id === d.cid).length);
    }
  });

  it('generate.mjs reproduces the committed tables byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syndb-style-'));
    try {
      copyFileSync(join(SS, 'generate.mjs'), join(dir, 'generate.mjs'));
      execFileSync(process.execPath, [join(dir, 'generate.mjs')], { stdio: 'pipe' });
      for (const t of Object.keys(SS_TABLES)) {
        expect(readFileSync(join(dir, `${t}.csv`), 'utf8'), `${t}.csv`).toBe(readFileSync(join(SS, `${t}.csv`), 'utf8'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
