/**
 * The files generated from shapes/*.ttl and ontologies/syndb.ttl by scripts/generate-artefacts.ts
 * (JSON-LD context, Dataset JSON field map, JSON Schema, docs/dataset-json.md field table):
 *  - regenerating gives the checked-in bytes (so nobody edits them by hand or forgets `npm run generate`);
 *  - the JSON Schema, checked by a maintained validator (Python jsonschema, Draft 2020-12), accepts
 *    every example Dataset JSON and what the service builds from the upload form, and refuses
 *    invalid documents;
 *  - the service serves the schema byte for byte at GET /schemas/dataset.schema.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTEFACTS, generateArtefacts, staleArtefacts } from '../scripts/generate-artefacts.js';
import { formToDatasetJson } from '../src/http/pages/upload.js';
import { startTestService, type TestService } from './helpers/service.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const EXAMPLES = ['l4dense-motta2019.json', 'microns-minnie65-v117.json', 'dendritic-consortium-mouse-v1.json', 'dendritic-consortium-hydra.json', 'syndb-style/dataset.json'];

describe('generated artefacts', () => {
  it('are current: regenerating from the shapes and the ontology gives the checked-in bytes', () => {
    const want = generateArtefacts(ROOT);
    expect(Object.keys(want).sort()).toEqual([...ARTEFACTS].sort());
    for (const p of ARTEFACTS) expect(readFileSync(join(ROOT, p), 'utf8') === want[p], `${p} is out of date: run npm run generate`).toBe(true);
    expect(staleArtefacts(ROOT)).toEqual([]);
  });

  it('notice a change of the shapes (this test can fail)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'syndb-gen-'));
    try {
      for (const d of ['shapes', 'ontologies', 'docs', 'schemas']) cpSync(join(ROOT, d), join(copy, d), { recursive: true });
      cpSync(join(ROOT, 'src', 'model', 'generated'), join(copy, 'src', 'model', 'generated'), { recursive: true });
      expect(staleArtefacts(copy)).toEqual([]);
      const f = join(copy, 'shapes', 'dataset.ttl');
      writeFileSync(f, readFileSync(f, 'utf8').replace('sh:description "Free keywords."', 'sh:description "Free keywords, e.g. connectomics."'));
      expect(staleArtefacts(copy).sort()).toEqual(['docs/dataset-json.md', 'schemas/dataset.schema.json', 'src/model/generated/dataset-fields.ts']);
      const o = join(copy, 'ontologies', 'syndb.ttl');
      writeFileSync(o, readFileSync(o, 'utf8').replace('syndb:tag syndb:jsonldSet true .', ''));
      expect(staleArtefacts(copy)).toContain('ontologies/context.jsonld');
    } finally { rmSync(copy, { recursive: true, force: true }); }
  });

  it('the context keeps the terms the upload form and the JSON-LD examples use', () => {
    const ctx = JSON.parse(readFileSync(join(ROOT, 'ontologies', 'context.jsonld'), 'utf8'))['@context'];
    expect(ctx.datasetDoi).toEqual({ '@id': 'syndb:doi' });
    expect(ctx.creator).toEqual({ '@id': 'dcterms:creator', '@type': '@id', '@container': '@set' });
    expect(ctx.specimen).toEqual({ '@id': 'syndb:specimen', '@container': '@set' });
    expect(ctx.embargoEndDate).toEqual({ '@id': 'syndb:embargoEndDate', '@type': 'xsd:date' });
    expect(ctx.Synapse).toBe('syndb:Synapse');
  });
});

/** Validate each document with Python jsonschema (Draft 2020-12, formats checked); the error messages per document (with those of anyOf branches). */
function validateAll(docs: unknown[]): string[][] {
  const script = `
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
def messages(e): return [e.message] + [m for c in e.context for m in messages(c)]
print(json.dumps([[m for e in v.iter_errors(d) for m in messages(e)] for d in json.load(sys.stdin)]))
`;
  const r = spawnSync(PYTHON, ['-c', script, join(ROOT, 'schemas', 'dataset.schema.json')], { input: JSON.stringify(docs), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[][];
}

describe('the Dataset JSON Schema (Python jsonschema, Draft 2020-12)', () => {
  const examples = EXAMPLES.map((f) => JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8')));
  const minimal = { title: 'T', description: 'D', creators: ['Doe, Jane'], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };

  it('accepts every example Dataset JSON, a minimal one, and what the upload form sends', () => {
    const form = formToDatasetJson({ title: 'T', description: 'D', creators: 'Doe, Jane | 0000-0002-1825-0097 | Example Institute', license: 'CC-BY-4.0', species: 'mouse',
      brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse', 'neuron'], publications: '10.1126/science.aay3134', keywords: 'a, b', geneticManipulations: 'Fmr1 knock-out', access: 'private' });
    const docs = [...examples, minimal, form, { ...minimal, $schema: 'https://w3id.org/syndb/schemas/dataset.schema.json', access: 'embargoed', embargoEndDate: '2027-01-31',
      creators: [{ name: 'Lab', type: 'Organization', ror: '00f54p054' }, { name: 'Doe, Jane', affiliation: { name: 'X', ror: '00f54p054' } }],
      publications: ['10.1/x', { doi: '10.1/y', relation: 'references', year: 2019 }], derivedFrom: ['other-id', { url: 'https://example.org/v', title: 'EM volume' }],
      specimens: [{ id: 'M1', sex: 'F', type: 'tissue' }] }];
    const results = validateAll(docs);
    results.forEach((errors, i) => expect(errors, `document ${i} (${EXAMPLES[i] ?? 'built here'})`).toEqual([]));
  });

  const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no title', { ...minimal, title: undefined }, /'title' is a required property/],
    ['no creators', { ...minimal, creators: undefined }, /'creators' is a required property/],
    ['an unknown field', { ...minimal, titel: 'T' }, /Additional properties are not allowed \('titel'/],
    ['no compartments', { ...minimal, compartments: [] }, /should be non-empty|is too short/],
    ['creators not a list', { ...minimal, creators: 'Doe, Jane' }, /is not of type 'array'/],
    ['a creator without a name', { ...minimal, creators: [{ orcid: '0000-0002-1825-0097' }] }, /'name' is a required property/],
    ['an unknown access level', { ...minimal, access: 'secret' }, /'secret' is not one of \['public', 'private', 'embargoed'\]/],
    ['a specimen sex outside M/F/U', { ...minimal, specimens: [{ id: 'M1', sex: 'X' }] }, /'X' is not one of/],
    ['a publication year as text', { ...minimal, publications: [{ doi: '10.1/x', year: '2019' }] }, /'2019' is not of type 'integer'/],
    ['a bad embargo date', { ...minimal, embargoEndDate: '31.01.2027' }, /is not a 'date'/],
    ['an id with capitals', { ...minimal, id: 'My-Data' }, /does not match/],
    ['a genetic manipulation without its kind', { ...minimal, geneticManipulations: [{ gene: 'Fmr1' }] }, /'expression' is a required property/],
  ];
  it('refuses invalid documents, each for its reason', () => {
    const results = validateAll(invalid.map(([, d]) => JSON.parse(JSON.stringify(d))));
    results.forEach((errors, i) => {
      const [name, , reason] = invalid[i]!;
      expect(errors.length, name).toBeGreaterThan(0);
      expect(errors.join('\n'), name).toMatch(reason);
    });
  });
});

describe('GET /schemas/dataset.schema.json', () => {
  let svc: TestService;
  beforeAll(async () => { svc = await startTestService(); }, 120_000);
  afterAll(async () => svc?.stop());

  it('serves the checked-in schema byte for byte as application/schema+json, without a token', async () => {
    const res = await svc.fetch('/schemas/dataset.schema.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    expect(await res.text()).toBe(readFileSync(join(ROOT, 'schemas', 'dataset.schema.json'), 'utf8'));
  });

  it('is the schema of the JSON request bodies in /openapi.json', async () => {
    const doc = await (await svc.fetch('/openapi.json')).json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'dataset.schema.json'), 'utf8'));
    delete schema.$schema;
    expect(doc.components.schemas.DatasetJson).toEqual(schema);
    expect(doc.paths['/datasets'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DatasetJson' });
    expect(doc.paths['/schemas/dataset.schema.json'].get).toBeDefined();
  });
});
