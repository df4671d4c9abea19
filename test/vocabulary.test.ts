import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import N3 from 'n3';
import oxigraph from 'oxigraph';
import { beforeAll, describe, expect, it } from 'vitest';
import { NS } from '../src/model/namespaces.js';
import { Vocabulary, loadVocabulary, type VocabKind } from '../src/model/vocabulary.js';
import { VOCAB_FILES, ontologiesDir, packageRoot } from '../src/model/vocabulary-paths.js';

const ROOT = packageRoot();
const REF = path.resolve(ROOT, '../shared/reference/ontologies');
const O = NS.obo;
import { JENA } from './helpers/shared.js';

let v: Vocabulary;
let loadMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  v = await Vocabulary.load();
  loadMs = performance.now() - t0;
});

function ok(kind: VocabKind, input: string, opts?: { species?: string }): string {
  const r = v.resolve(kind, input, opts);
  if (!('iri' in r)) throw new Error(`expected ${JSON.stringify(input)} to resolve, got: ${r.error}`);
  return r.iri;
}

function fail(kind: VocabKind, input: string) {
  const r = v.resolve(kind, input);
  if ('iri' in r) throw new Error(`expected ${JSON.stringify(input)} to fail, got ${r.iri}`);
  return r;
}

describe('loading', () => {
  it('loads every committed vocabulary file from the package (the time is printed, not asserted: bench/ measures speed)', async () => {
    expect(v.files().map((f) => path.basename(f))).toEqual([...VOCAB_FILES]);
    for (const f of v.files()) expect(f.startsWith(ontologiesDir(ROOT))).toBe(true);
    expect(v.size).toBeGreaterThan(20_000);
    console.log(`vocabulary load: ${loadMs.toFixed(0)} ms for ${v.size} triples`);
  });

  it('loadVocabulary() is cached', async () => {
    const a = await loadVocabulary();
    const b = await loadVocabulary();
    expect(a).toBe(b);
    expect(a.has(`${O}MBA_385`)).toBe(true);
  });
});

describe('resolve', () => {
  it.each<[VocabKind, string, string]>([
    ['brainRegion', 'V1', `${O}MBA_385`],
    ['brainRegion', 'VISp', `${O}MBA_385`],
    ['brainRegion', 'primary visual area', `${O}MBA_385`],
    ['brainRegion', '  Primary   Visual AREA ', `${O}MBA_385`],
    ['brainRegion', 'primary visual cortex', `${O}MBA_385`],
    ['brainRegion', 'MBA:385', `${O}MBA_385`],
    ['brainRegion', 'mba:385', `${O}MBA_385`],
    ['brainRegion', 'obo:MBA_385', `${O}MBA_385`],
    ['brainRegion', `${O}MBA_385`, `${O}MBA_385`],
    ['brainRegion', `<${O}MBA_385>`, `${O}MBA_385`],
    ['brainRegion', 'MBA:329', `${O}MBA_329`],
    ['brainRegion', 'barrel cortex', `${O}MBA_329`],
    ['brainRegion', 'S1 barrel field', `${O}MBA_329`],
    ['brainRegion', 'SSp-bfd', `${O}MBA_329`],
    ['brainRegion', 'S1', `${O}MBA_322`],
    ['brainRegion', 'primary somatosensory area', `${O}MBA_322`],
    ['brainRegion', 'neocortex', `${O}MBA_315`],
    ['brainRegion', 'isocortex', `${O}MBA_315`],
    ['brainRegion', 'UBERON:0000956', `${O}UBERON_0000956`],
    ['brainRegion', 'HBA:4008', `${O}HBA_4008`],
    ['brainRegion', 'hippocampus', `${O}MBA_1080`],
    ['species', 'mouse', `${O}NCBITaxon_10090`],
    ['species', 'Mus musculus', `${O}NCBITaxon_10090`],
    ['species', 'mus  MUSCULUS', `${O}NCBITaxon_10090`],
    ['species', 'NCBITaxon:10090', `${O}NCBITaxon_10090`],
    ['species', 'NCBI:txid10090', `${O}NCBITaxon_10090`],
    ['species', 'human', `${O}NCBITaxon_9606`],
    ['species', 'rat', `${O}NCBITaxon_10116`],
    ['species', 'rhesus macaque', `${O}NCBITaxon_9544`],
    ['species', 'crab-eating macaque', `${O}NCBITaxon_9541`],
    ['species', 'fruit fly', `${O}NCBITaxon_7227`],
    ['species', 'zebrafish', `${O}NCBITaxon_7955`],
    ['species', 'C. elegans', `${O}NCBITaxon_6239`],
    ['species', 'Hydra vulgaris', `${O}NCBITaxon_6087`],
    ['species', 'zebra finch', `${O}NCBITaxon_59729`],
    ['microscopyMethod', 'SBEM', `${NS.syndbv}method/SBEM`],
    ['microscopyMethod', 'serial block-face SEM', `${NS.syndbv}method/SBEM`],
    ['microscopyMethod', 'SBF SEM', `${NS.syndbv}method/SBEM`],
    ['microscopyMethod', 'syndbv:method/FIB-SEM', `${NS.syndbv}method/FIB-SEM`],
    ['microscopyMethod', 'two-photon', `${NS.syndbv}method/two-photon`],
    ['microscopyMethod', 'ExM', `${NS.syndbv}method/ExM`],
    ['microscopyMethod', 'micro-CT', `${NS.syndbv}method/micro-CT`],
    ['microscopyMethod', 'XNH', `${NS.syndbv}method/XNH`],
    ['expressionKind', 'KO', `${NS.syndbv}expression/knock-out`],
    ['expressionKind', 'knockout', `${NS.syndbv}expression/knock-out`],
    ['expressionKind', 'knock out', `${NS.syndbv}expression/knock-out`],
    ['expressionKind', 'KI', `${NS.syndbv}expression/knock-in`],
    ['expressionKind', 'KD', `${NS.syndbv}expression/knock-down`],
    ['expressionKind', 'knock-sideways', `${NS.syndbv}expression/knock-sideways`],
    ['expressionKind', 'OE', `${NS.syndbv}expression/overexpression`],
    ['license', 'CC-BY-4.0', `${NS.spdx}CC-BY-4.0`],
    ['license', 'cc-by-4.0', `${NS.spdx}CC-BY-4.0`],
    ['license', 'CC BY 4.0', `${NS.spdx}CC-BY-4.0`],
    ['license', 'Creative Commons Attribution 4.0 International', `${NS.spdx}CC-BY-4.0`],
    ['license', 'spdx:CC0-1.0', `${NS.spdx}CC0-1.0`],
    ['license', 'http://spdx.org/licenses/MIT', `${NS.spdx}MIT`],
    ['license', 'GPL-3.0-or-later', `${NS.spdx}GPL-3.0-or-later`],
  ])('%s %j -> %s', (kind, input, iri) => {
    expect(ok(kind, input)).toBe(iri);
  });

  it('prefers the mouse atlas for labels both atlases use, the human atlas for human data', () => {
    expect(ok('brainRegion', 'cerebral cortex')).toBe(`${O}MBA_688`);
    expect(ok('brainRegion', 'cerebral cortex', { species: 'NCBITaxon:9606' })).toBe(`${O}HBA_4008`);
    expect(ok('brainRegion', 'cerebral cortex', { species: `${O}NCBITaxon_9606` })).toBe(`${O}HBA_4008`);
  });

  it('takes the whole structure when an abbreviation names it and its left/right parts', () => {
    // HBA "CA4" is the abbreviation of "CA4 field" and of its left and right parts.
    const iri = ok('brainRegion', 'CA4');
    expect(v.label(iri)).toBe('CA4 field');
  });

  it('reports a real ambiguity with the candidates', () => {
    // HBA "OlfT": olfactory tubercle, left / right (no whole term carries the abbreviation).
    const r = fail('brainRegion', 'OlfT');
    expect(r.error).toMatch(/ambiguous brain region "OlfT"/);
    expect(r.suggestions.map((s) => s.label).sort()).toEqual(['olfactory tubercle, left', 'olfactory tubercle, right']);
  });

  it('rejects a term of another kind with a specific message', () => {
    const r = fail('species', 'MBA:385');
    expect(r.error).toContain('"primary visual area" (MBA:385) is a brain region, not a species');
    const r2 = fail('license', 'mouse');
    expect(r2.error).toContain('is a species, not a license');
  });

  it('rejects empty input and unknown IRIs', () => {
    expect(fail('brainRegion', '   ').error).toMatch(/brain region is empty/);
    expect(fail('brainRegion', `${O}MBA_99999999`).error).toMatch(/unknown brain region IRI <http:\/\/purl\.obolibrary\.org\/obo\/MBA_99999999>/);
    expect(fail('species', 'NCBITaxon:99999999').error).toMatch(/unknown species "NCBITaxon:99999999"/);
  });

  it('suggests the closest terms for typos', () => {
    const r = fail('brainRegion', 'visal cortex');
    expect(r.suggestions.length).toBeGreaterThan(0);
    expect(r.suggestions.length).toBeLessThanOrEqual(5);
    const curies = r.suggestions.map((s) => s.curie);
    expect(curies.slice(0, 3)).toContain('MBA:669'); // "visual areas", alt label "visual cortex"
    expect(curies).toContain('MBA:385');
    expect(r.error).toContain('visual areas (MBA:669)');

    const m = fail('species', 'mouze');
    expect(m.suggestions[0]).toEqual({ iri: `${O}NCBITaxon_10090`, label: 'Mus musculus', curie: 'NCBITaxon:10090' });
    expect(m.error).toMatch(/unknown species "mouze".*closest: Mus musculus \(NCBITaxon:10090\)/);

    const k = fail('expressionKind', 'knock-outt');
    expect(k.suggestions[0].iri).toBe(`${NS.syndbv}expression/knock-out`);
    const l = fail('license', 'CC-BY-5.0');
    expect(l.suggestions.map((s) => s.curie)).toContain('spdx:CC-BY-4.0');
  });

  it('answers unknown input with suggestions (time printed, not asserted)', () => {
    const t0 = performance.now();
    for (const q of ['visal cortex', 'hipocampus', 'barel cortex', 'layer 4']) expect(fail('brainRegion', q).suggestions.length).toBeGreaterThan(0);
    console.log(`four misspelt regions answered in ${(performance.now() - t0).toFixed(0)} ms`);
  });
});

describe('term facts', () => {
  it('labels, CURIEs, kinds and types', () => {
    expect(v.label(`${O}MBA_385`)).toBe('primary visual area');
    expect(v.label(`${O}UBERON_0000956`)).toBe('cerebral cortex');
    expect(v.label(`${O}NCBITaxon_10090`)).toBe('Mus musculus');
    expect(v.label(`${NS.spdx}CC-BY-4.0`)).toBe('CC BY 4.0');
    expect(v.label(`${O}MBA_1`.replace('MBA_1', 'nope'))).toBeUndefined();
    expect(v.curie(`${O}MBA_385`)).toBe('MBA:385');
    expect(v.curie(`${NS.syndbv}method/SBEM`)).toBe('syndbv:method/SBEM');
    expect(v.kindOf(`${O}MBA_385`)).toBe('brainRegion');
    expect(v.kindOf(`${O}UBERON_0000956`)).toBe('brainRegion');
    expect(v.kindOf(`${O}NCBITaxon_9606`)).toBe('species');
    expect(v.kindOf(`${NS.syndbv}method/SBEM`)).toBe('microscopyMethod');
    expect(v.kindOf(`${NS.syndbv}expression/knock-in`)).toBe('expressionKind');
    expect(v.kindOf(`${NS.spdx}MIT`)).toBe('license');
    expect(v.typesOf(`${O}MBA_385`).sort()).toEqual([`${NS.skos}Concept`, `${NS.syndb}BrainRegion`]);
    expect(v.typesOf(`${NS.spdx}CC-BY-4.0`).sort()).toEqual([`${NS.dcterms}LicenseDocument`, `${NS.skos}Concept`]);
    expect(v.typesOf('http://example.org/x')).toEqual([]);
    expect(v.has(`${O}MBA_329`)).toBe(true);
    expect(v.has('http://example.org/x')).toBe(false);
    expect(v.labels(`${O}MBA_329`)).toEqual(expect.arrayContaining(['primary somatosensory area, barrel field', 'SSp-bfd', 'barrel cortex', 'S1 barrel field']));
  });

  it('every species, method, expression kind and licence the interface names is present', () => {
    for (const id of [10090, 9606, 10116, 9544, 9541, 7227, 7955, 6239, 6087, 9483, 9669, 59729]) expect(v.kindOf(`${O}NCBITaxon_${id}`)).toBe('species');
    for (const m of ['SBEM', 'ssTEM', 'ATUM-SEM', 'FIB-SEM', 'ExM', 'two-photon', 'confocal', 'light-sheet', 'XNH', 'micro-CT', 'multi-beam-SEM', 'cryo-ET', 'widefield-fluorescence']) {
      expect(v.kindOf(`${NS.syndbv}method/${m}`)).toBe('microscopyMethod');
    }
    for (const e of ['knock-out', 'knock-in', 'knock-down', 'knock-sideways', 'overexpression']) expect(v.kindOf(`${NS.syndbv}expression/${e}`)).toBe('expressionKind');
    for (const l of ['CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'CC-BY-NC-4.0', 'CC-BY-NC-SA-4.0', 'CC-BY-ND-4.0', 'ODbL-1.0', 'PDDL-1.0', 'MIT', 'Apache-2.0', 'BSD-3-Clause', 'GPL-3.0-or-later']) {
      expect(v.kindOf(`${NS.spdx}${l}`)).toBe('license');
    }
  });
});

describe('hierarchy', () => {
  it('UBERON cerebral cortex includes the mouse isocortex, V1 and the barrel field with its layer 4', () => {
    const d = v.descendants(`${O}UBERON_0000956`);
    expect(d.has(`${O}UBERON_0000956`)).toBe(true);
    expect(d.has(`${O}MBA_688`)).toBe(true); // equivalent per the bridge
    expect(d.has(`${O}MBA_315`)).toBe(true);
    expect(d.has(`${O}MBA_385`)).toBe(true);
    expect(d.has(`${O}MBA_329`)).toBe(true);
    expect(d.has(`${O}MBA_1047`)).toBe(true); // SSp-bfd4
    expect(d.has(`${O}MBA_512`)).toBe(false); // cerebellum
  });

  it('isocortex (searched as "neocortex" or UBERON) reaches barrel-field layer 4', () => {
    for (const r of [ok('brainRegion', 'neocortex'), `${O}UBERON_0001950`]) {
      const d = v.descendants(r);
      expect(d.has(`${O}MBA_329`)).toBe(true);
      expect(d.has(`${O}MBA_1047`)).toBe(true);
    }
  });

  it('V1 contains its layers but not the barrel field', () => {
    const d = v.descendants(`${O}MBA_385`);
    expect(d.has(`${O}MBA_385`)).toBe(true);
    expect(d.has(`${O}MBA_721`)).toBe(true); // primary visual area, layer 4
    expect(d.has(`${O}MBA_329`)).toBe(false);
    expect(d.has(`${O}MBA_1047`)).toBe(false);
    expect(d.has(`${O}MBA_669`)).toBe(false); // its parent
  });

  it('ancestors go up the part-of chain and across the bridge', () => {
    const a = v.ancestors(`${O}MBA_329`);
    for (const x of ['MBA_329', 'MBA_322', 'MBA_315', 'MBA_688', 'MBA_997', 'UBERON_0000956', 'UBERON_0000955']) expect(a.has(`${O}${x}`)).toBe(true);
    expect(a.has(`${O}MBA_385`)).toBe(false);
  });
});

describe('RDF output', () => {
  it('quadsNQuads puts every triple into the requested graph', () => {
    const g = 'http://localhost:3030/graphs/ontology';
    const text = v.quadsNQuads(g);
    const quads = new N3.Parser({ format: 'application/n-quads' }).parse(text);
    expect(quads.length).toBe(v.size);
    expect(quads.every((q) => q.graph.value === g)).toBe(true);
    expect(quads.some((q) => q.subject.value === `${O}MBA_385` && q.predicate.value === `${NS.skos}altLabel` && q.object.value === 'V1')).toBe(true);
  });

  it('SKOS integrity: labels disjoint, one prefLabel per language, every concept in a scheme', () => {
    const store = new oxigraph.Store();
    store.load(v.nTriples(), { format: 'application/n-triples' });
    const count = (where: string) => Number((store.query(`PREFIX skos: <${NS.skos}> SELECT (COUNT(*) AS ?n) WHERE { ${where} }`) as Map<string, { value: string }>[])[0].get('n')!.value);
    expect(count('?c skos:prefLabel ?l . ?c skos:altLabel ?l')).toBe(0);
    expect(count('?c skos:altLabel ?l . ?c skos:hiddenLabel ?l')).toBe(0);
    expect(count('?c skos:prefLabel ?a, ?b FILTER(?a != ?b && lang(?a) = lang(?b))')).toBe(0);
    expect(count('?c a skos:Concept FILTER NOT EXISTS { ?c skos:inScheme ?s . ?s a skos:ConceptScheme }')).toBe(0);
    expect(count('?c a skos:Concept FILTER NOT EXISTS { ?c skos:notation ?n }')).toBe(0);
    // Every atlas term has a label; UBERON terms the reference files do not name carry a note instead.
    expect(count('?c a skos:Concept FILTER NOT EXISTS { ?c skos:prefLabel ?l } FILTER NOT EXISTS { ?c skos:scopeNote ?n }')).toBe(0);
  });
});

describe('build script', () => {
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  const script = path.join(ROOT, 'scripts/build-vocabularies.ts');
  const run = (out: string) => spawnSync(tsx, [script, REF, '--out', out], { cwd: ROOT, encoding: 'utf8' });

  it('is deterministic and reproduces the committed files', () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'vocab-a-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'vocab-b-'));
    try {
      for (const dir of [a, b]) {
        const r = run(dir);
        expect(r.status, r.stderr).toBe(0);
      }
      for (const name of VOCAB_FILES) {
        const x = fs.readFileSync(path.join(a, name));
        const y = fs.readFileSync(path.join(b, name));
        expect(x.equals(y), `${name} differs between two runs`).toBe(true);
        const committed = fs.readFileSync(path.join(ontologiesDir(ROOT), name));
        expect(x.equals(committed), `${name} differs from the committed ontologies/${name}: rebuild it`).toBe(true);
      }
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });

  it('records the SHA-256 of every reference file it read', () => {
    const head = fs.readFileSync(path.join(ontologiesDir(ROOT), 'vocab-brain-regions.ttl'), 'utf8').slice(0, 2000);
    expect(head).toMatch(/^# .*\n# GENERATED FILE/);
    for (const f of ['allen-mouse-brain-atlas.obo', 'allen-human-brain-atlas.obo', 'uberon-vertebrate-head.obo', 'uberon-bridge-to-mouse-brain-atlas.owl']) {
      const sha = crypto.createHash('sha256').update(fs.readFileSync(path.join(REF, f))).digest('hex');
      expect(head).toContain(`${f}  sha256:${sha}`);
    }
  });

  it('fails with a specific message when the reference folder is wrong', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vocab-c-'));
    try {
      const r = spawnSync(tsx, [script, path.join(out, 'nowhere'), '--out', out], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/reference file missing: .*nowhere\/allen-mouse-brain-atlas\.obo/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('the output is valid Turtle for Apache Jena', () => {
    const files = VOCAB_FILES.map((n) => path.join(ontologiesDir(ROOT), n));
    const r = spawnSync(JENA, ['riot', '--validate', ...files], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/ERROR|WARN/);
  });
});
