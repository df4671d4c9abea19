/**
 * The compiled row validator (src/model/tables) is equivalent to SHACL on the row shapes:
 * generated valid and invalid tables of all ten compartments are checked three ways - the
 * compiled validator on the CSV rows, shacl-engine (src/shacl) and Apache Jena on the same
 * rows as RDF - and the three must report exactly the same (row, column, constraint) results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadShapes, type Shapes } from '../src/shacl/shapes.js';
import { validate } from '../src/shacl/validator.js';
import { loadOntology } from '../src/model/ontology.js';
import { compileTableSchemas, type TableSchema, type ColumnDef } from '../src/model/tables/schema.js';
import { mapHeader, convertRow, checkRow, rowToNQuads, PARENT_TABLE } from '../src/model/tables/rows.js';
import { COMPARTMENTS } from '../src/model/compartment-names.js';
import { NS } from '../src/model/namespaces.js';
import { projectPath } from '../src/util/paths.js';
import { JenaBatch } from './helpers/jena.js';

const DATASET = 'http://localhost:3030/datasets/diff-test/draft';
let shapes: Shapes;
let schemas: Map<string, TableSchema>;
let dir: string;
let jena: JenaBatch;

beforeAll(async () => {
  shapes = await loadShapes();
  schemas = compileTableSchemas(shapes.quads, loadOntology().quads);
  dir = mkdtempSync(join(tmpdir(), 'syndb-tables-diff-'));
  jena = new JenaBatch();
});
afterAll(async () => {
  await jena?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Seeded PRNG (mulberry32) so every run generates the same tables. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYNDB_TABLE: Record<string, string> = Object.fromEntries(COMPARTMENTS.map((c) => [c.slug, c.table]));

interface Generated { headers: string[]; rows: string[][] }

function bounds(col: ColumnDef) {
  const min = Math.max(...col.shapes.map((s) => s.minInclusive ?? -Infinity));
  const max = Math.min(...col.shapes.map((s) => s.maxInclusive ?? Infinity));
  return { min, max };
}

function validValue(col: ColumnDef, rnd: () => number, i: number): string {
  const { min, max } = bounds(col);
  const dt = col.datatype;
  if (dt === `${NS.xsd}double`) {
    const lo = Number.isFinite(min) ? min : -1e5, hi = Number.isFinite(max) ? max : 1e6;
    const x = lo + (hi - lo) * rnd();
    const forms = [x.toPrecision(6), String(Math.round(x)), x.toExponential(3)];
    const v = forms[Math.floor(rnd() * forms.length)];
    return Number(v) < lo || Number(v) > hi ? String(lo) : v;
  }
  if (dt === `${NS.xsd}integer`) return String(Math.floor(rnd() * 500));
  if (dt === `${NS.xsd}anyURI`) return `https://assets.example.org/${i}/file.glb`;
  if (dt === `${NS.xsd}string`) return ['multipolar', 'pyramidal', 'glutamate', 'afferent', '8589934592123'][Math.floor(rnd() * 5)];
  return `x${i}`;
}

/** A table of `n` rows; about a third of the rows get one invalid cell (recorded in `mutated`). */
function generate(schema: TableSchema, n: number, seed: number, mutate: boolean): Generated & { mutated: number } {
  const rnd = prng(seed);
  const cols = schema.columns;
  const headers = cols.map((c) => c.name);
  const parentCol = cols.find((c) => c.property === `${NS.syndb}parent`);
  if (parentCol) headers.splice(headers.indexOf(parentCol.name) + 1, 0, PARENT_TABLE);
  let mutated = 0;
  const rows: string[][] = [];
  for (let i = 1; i <= n; i++) {
    const cell = new Map<string, string>();
    for (const c of cols) {
      if (c.property === `${NS.syndb}cid`) { cell.set(c.name, `c-${seed}-${i}`); continue; }
      const forbidden = c.shapes.every((s) => s.maxCount === 0);
      if (forbidden || rnd() < 0.15) { cell.set(c.name, ''); continue; }
      if (c.kind === 'link') {
        if (c.property === `${NS.syndb}parent`) {
          const t = c.targets![Math.floor(rnd() * c.targets!.length)];
          cell.set(c.name, `p${Math.floor(rnd() * 50)}`);
          cell.set(PARENT_TABLE, rnd() < 0.5 ? t : SYNDB_TABLE[t]);
        } else if (c.multi) cell.set(c.name, `s${Math.floor(rnd() * 50)};s${50 + Math.floor(rnd() * 50)}`);
        else cell.set(c.name, `n${Math.floor(rnd() * 50)}`);
        continue;
      }
      cell.set(c.name, validValue(c, rnd, i));
    }
    if (mutate && rnd() < 0.35) {
      mutated++;
      const candidates = cols.filter((c) => c.property !== `${NS.syndb}cid` || rnd() < 0.1);
      const c = candidates[Math.floor(rnd() * candidates.length)];
      const { min, max } = bounds(c);
      const forbidden = c.shapes.every((s) => s.maxCount === 0);
      if (c.property === `${NS.syndb}cid`) cell.set(c.name, '');
      else if (forbidden) { cell.set(c.name, 'n1'); if (c.property === `${NS.syndb}parent`) cell.set(PARENT_TABLE, 'neuron'); }
      else if (c.property === `${NS.syndb}parent`) {
        const wrong = COMPARTMENTS.map((x) => x.slug).filter((s) => !c.targets!.includes(s));
        cell.set(c.name, 'p1');
        cell.set(PARENT_TABLE, wrong[Math.floor(rnd() * wrong.length)]);
      } else if (c.kind === 'link') cell.set(c.name, c.multi ? 'a;b' : 'z1');
      else if (c.datatype === `${NS.xsd}double`) {
        const bad = ['abc', '1.2.3', '--4', ...(Number.isFinite(min) ? [String(min - 1 - Math.floor(rnd() * 9))] : []), ...(Number.isFinite(max) ? [String(max + 0.5)] : [])];
        cell.set(c.name, bad[Math.floor(rnd() * bad.length)]);
      } else if (c.datatype === `${NS.xsd}integer`) cell.set(c.name, ['2.5', '-3', 'seven', '1e3'][Math.floor(rnd() * 4)]);
      else if (c.datatype === `${NS.xsd}string`) cell.set(c.name, '   ');
      else cell.set(c.name, 'x');
    }
    rows.push(headers.map((h) => cell.get(h) ?? ''));
  }
  return { headers, rows, mutated };
}

/** The compiled validator's results as (focus node, path, constraint) keys, and the rows as N-Triples. */
function compiled(schema: TableSchema, g: Generated) {
  const map = mapHeader(schema, g.headers);
  expect(map.problems).toEqual([]);
  const keys: string[] = [];
  let nt = '';
  const T = `${DATASET}/tables/${schema.slug}`;
  g.rows.forEach((rec, k) => {
    const conv = convertRow({ schema, map, dataset: DATASET }, rec, k + 1);
    expect(conv.problems).toEqual([]);
    for (const p of checkRow(schema, conv, k + 1)) keys.push(`${conv.subject}|${p.path}|${p.kind.replace('sh:', NS.sh)}`);
    nt += rowToNQuads(schema, conv, k + 1, DATASET, T);
  });
  return { keys: keys.sort(), nquads: nt };
}

const strip = (s: string) => s.replace(/^<|>$/g, '');

describe('compiling the shapes', () => {
  it('gives every compartment its columns with SynDB names, properties, datatypes and units', () => {
    expect([...schemas.keys()]).toEqual(COMPARTMENTS.map((c) => c.slug));
    const syn = schemas.get('synapse')!;
    const gaba = syn.byAlias.get('GABA')!;
    expect(gaba.property).toBe(`${NS.syndb}gabaProbability`);
    expect(syn.byAlias.get('gaba_probability')).toBe(gaba);
    expect(gaba.unit).toBe('http://qudt.org/vocab/unit/UNITLESS');
    expect(syn.byAlias.get('mesh_volume')!.unit).toBe('http://qudt.org/vocab/unit/NanoM3');
    expect(syn.byAlias.get('parent_id')!.targets).toEqual(['pre-synaptic-terminal', 'dendritic-spine', 'axon', 'dendrite', 'neuron']);
    expect(syn.byAlias.get('neuron_id')!.targets).toEqual(['neuron']);
    expect(schemas.get('dendrite')!.byAlias.get('dendritic_spine_count')!.datatype).toBe(`${NS.xsd}integer`);
    expect(schemas.get('neuron')!.byAlias.get('GABA')).toBeUndefined();
  });
  it('refuses shapes it cannot evaluate instead of checking less', async () => {
    const { compileShapes } = await import('../src/shacl/shapes.js');
    const { readFileSync } = await import('node:fs');
    const ttl = readFileSync(projectPath('shapes', 'compartments.ttl'), 'utf8')
      .replace('sh:maxCount 1 ; sh:datatype xsd:double ; sh:minInclusive 0 ;\n    sh:message "voxel_volume', 'sh:maxCount 1 ; sh:datatype xsd:double ; sh:minInclusive 0 ; sh:lessThan syndb:meshVolume ;\n    sh:message "voxel_volume');
    const s = compileShapes(ttl);
    expect(() => compileTableSchemas(s.quads, loadOntology().quads)).toThrow(/does not understand http:\/\/www.w3.org\/ns\/shacl#lessThan/);
  });
});

describe('differential: compiled validator = shacl-engine = Apache Jena', () => {
  for (const [i, c] of COMPARTMENTS.entries()) {
    it(`${c.slug}: valid and invalid generated tables`, async () => {
      const schema = schemas.get(c.slug)!;
      for (const mutate of [false, true]) {
        const g = generate(schema, mutate ? 60 : 25, 1000 + i * 7 + (mutate ? 1 : 0), mutate);
        const mine = compiled(schema, g);
        if (!mutate) expect(mine.keys).toEqual([]);
        else {
          expect(g.mutated).toBeGreaterThan(5);
          expect(mine.keys.length).toBeGreaterThan(5);
        }
        // shacl-engine on the rows as RDF
        const report = await validate(shapes, mine.nquads);
        const engine = report.results.map((r) => `${r.focusNode}|${strip(r.terms.path ?? '')}|${strip(r.terms.constraint)}`).sort();
        // Apache Jena on the same rows (N-Triples file) and the shapes file itself
        const data = join(dir, `${c.slug}-${mutate ? 'invalid' : 'valid'}.nt`);
        writeFileSync(data, mine.nquads.replace(/ <[^>]+> \.\n/g, ' .\n'));
        const jr = await jena.validate(projectPath('shapes', 'compartments.ttl'), data);
        const jk = jr.results.map((r) => `${strip(r.focusNode)}|${strip(r.path)}|${strip(r.constraint)}`).sort();
        expect(jk).toEqual(mine.keys);
        expect(jr.conforms).toBe(!mutate);
        // shacl-engine agrees too, except that it compares ill-formed numbers by their numeric
        // prefix ("1.2.3" as 1.2), so on cells with a datatype violation its range results may
        // be missing; SHACL (and Jena) count a value that is not comparable as a violation.
        const illFormed = new Set(mine.keys.filter((k) => k.endsWith('#DatatypeConstraintComponent')).map((k) => k.slice(0, k.lastIndexOf('|'))));
        const lenient = (keys: string[]) => keys.filter((k) => !(illFormed.has(k.slice(0, k.lastIndexOf('|'))) && /#M(in|ax)InclusiveConstraintComponent$/.test(k)));
        expect(lenient(engine)).toEqual(lenient(mine.keys));
        expect(engine.filter((k) => k.endsWith('#DatatypeConstraintComponent'))).toEqual(mine.keys.filter((k) => k.endsWith('#DatatypeConstraintComponent')));
      }
    }, 60_000);
  }
});
