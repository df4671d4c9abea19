/**
 * The W3C SHACL test suite (../shared/conformance/shacl, or SYNDB_SHARED_DIR): core/ and sparql/.
 * Each sht:Validate entry is run with our validator; the report we produce is serialised
 * with reportToTurtle, parsed back, and compared with mf:result: sh:conforms and the
 * multiset of results (focus node, path, value, severity, source shape, constraint
 * component). sh:resultMessage and sh:sourceConstraint are ignored, as the suite says.
 * Blank nodes: when data, shapes and manifest are one file, blank nodes keep their
 * identity (one parse per file) and must match exactly; path nodes compare by structure.
 * Tests expecting sht:Failure pass when validation throws.
 *
 * Tests known to fail are listed with the reason in test/shacl-w3c-skips.json. An unlisted
 * failure fails this file, and so does a listed test that now passes (stale entry).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Parser, Store, DataFactory } from 'n3';
import type { Quad, Term } from '@rdfjs/types';
import { loadSparqlSupport } from '../src/shacl/sparql-constraints.js';
import { compileShapes } from '../src/shacl/shapes.js';
import { validate } from '../src/shacl/validator.js';
import { reportToTurtle } from '../src/shacl/results.js';

// the suites' SHACL-SPARQL shapes need the (lazily loaded) SPARQL support
await loadSparqlSupport();
import { parseReport, reportKey, diffKeys, termKey } from './helpers/jena.js';
import { sharedPath } from './helpers/shared.js';

const SUITE = sharedPath('conformance/shacl/manifest.ttl');
const MF = 'http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#';
const SHT = 'http://www.w3.org/ns/shacl-test#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const { namedNode } = DataFactory;

// Keys are test IRIs relative to the suite folder (e.g. sparql/component/optional-001), so the list
// holds wherever ../shared is.
const skips: Record<string, string> = JSON.parse(readFileSync(new URL('./shacl-w3c-skips.json', import.meta.url), 'utf8'));
const rel = (iri: string) => iri.replace(/^.*\/conformance\/shacl\//, '');

const parsed = new Map<string, { quads: Quad[]; store: Store }>();
function load(url: string) {
  let g = parsed.get(url);
  if (!g) {
    const quads = new Parser({ baseIRI: url }).parse(readFileSync(fileURLToPath(url), 'utf8')) as Quad[];
    g = { quads, store: new Store(quads) };
    parsed.set(url, g);
  }
  return g;
}

interface Case { iri: string; label: string; group: 'core' | 'sparql'; status: string; data: string; shapes: string; manifest: Store; result: Term }

function objs(store: Store, s: Term, p: string): Term[] {
  return store.getObjects(s as Quad['subject'], namedNode(p), null);
}

function collect(url: string, out: Case[]): void {
  const { store } = load(url);
  for (const inc of store.getObjects(namedNode(url), namedNode(MF + 'include'), null)) collect(inc.value, out);
  for (const list of store.getObjects(namedNode(url), namedNode(MF + 'entries'), null)) {
    let node: Term = list;
    while (node.value !== RDF + 'nil') {
      const entry = objs(store, node, RDF + 'first')[0];
      node = objs(store, node, RDF + 'rest')[0];
      const action = objs(store, entry, MF + 'action')[0];
      out.push({
        iri: entry.value,
        label: objs(store, entry, RDFS + 'label')[0]?.value ?? '',
        group: entry.value.includes('/sparql/') ? 'sparql' : 'core',
        status: objs(store, entry, MF + 'status')[0]?.value.replace(SHT, '') ?? '?',
        data: objs(store, action, SHT + 'dataGraph')[0].value,
        shapes: objs(store, action, SHT + 'shapesGraph')[0].value,
        manifest: store,
        result: objs(store, entry, MF + 'result')[0],
      });
    }
  }
}

const cases: Case[] = [];
collect(pathToFileURL(SUITE).href, cases);

const tally = { core: { passed: 0, failed: 0, skipped: 0 }, sparql: { passed: 0, failed: 0, skipped: 0 } };
const unexpectedFailures: string[] = [];
const stale: string[] = [];

async function runCase(c: Case): Promise<string | undefined> {
  const data = load(c.data).quads;
  const shapesQuads = load(c.shapes).quads;
  const expectFailure = c.result.termType === 'NamedNode' && c.result.value === SHT + 'Failure';
  let turtle: string;
  try {
    const shapes = compileShapes(shapesQuads);
    const report = await validate(shapes, data);
    turtle = reportToTurtle(report);
  } catch (err) {
    return expectFailure ? undefined : `threw: ${(err as Error).message}`;
  }
  if (expectFailure) return 'expected a failure (ill-formed shapes or unsupported feature), validation succeeded';
  const ours = reportKey(parseReport(turtle));
  const expected = reportKey(c.manifest, c.result);
  const problems: string[] = [];
  if (ours.conforms !== expected.conforms) problems.push(`conforms: expected ${expected.conforms}, got ${ours.conforms}`);
  const d = diffKeys(expected.results, ours.results);
  for (const m of d.missing) problems.push(`missing result: ${m}`);
  for (const u of d.unexpected) problems.push(`unexpected result: ${u}`);
  return problems.length ? problems.join('\n') : undefined;
}

describe('W3C SHACL test suite', () => {
  it('has the expected manifest shape', () => {
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.filter((c) => c.group === 'sparql').length).toBeGreaterThan(5);
    // Every skip names a test that exists.
    for (const iri of Object.keys(skips)) expect(cases.map((c) => rel(c.iri)), `skip list entry ${iri}`).toContain(iri);
    expect(termKey(undefined)).toBe('-');
  });

  for (const c of cases) {
    const name = `${c.group} ${c.iri.replace(/^.*\/conformance\/shacl\//, '')} (${c.status}) ${c.label}`;
    it(name, async () => {
      const problem = await runCase(c);
      const t = tally[c.group];
      if (rel(c.iri) in skips) {
        if (problem) { t.skipped++; return; }
        stale.push(c.iri);
        t.passed++;
        throw new Error(`${c.iri} is listed in shacl-w3c-skips.json (${skips[rel(c.iri)]}) but now passes: remove it from the list`);
      }
      if (problem) { t.failed++; unexpectedFailures.push(c.iri); } else t.passed++;
      expect(problem, `${c.iri}\n${problem}`).toBeUndefined();
    });
  }

  afterAll(() => {
    console.log(`SHACL W3C core: ${tally.core.passed} passed, ${tally.core.failed} failed, ${tally.core.skipped} skipped`);
    console.log(`SHACL W3C sparql: ${tally.sparql.passed} passed, ${tally.sparql.failed} failed, ${tally.sparql.skipped} skipped`);
    if (unexpectedFailures.length) console.log(`unlisted failures:\n  ${unexpectedFailures.join('\n  ')}`);
    if (stale.length) console.log(`stale skips:\n  ${stale.join('\n  ')}`);
  });
});
