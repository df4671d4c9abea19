/**
 * Pure parts of provenance: the version diff (skolem nodes compared by content, plain-words
 * changes), activity records (checksums, snapshot inputs), the lineage picture (well-formed
 * SVG, every node and edge drawn) and the withdrawal request checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianPackages } from './helpers/debian.js';

beforeAll(() => ensureDebianPackages(['libxml2-utils']), 300_000);
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { diffGraphs } from '../src/provenance/diff.js';
import { activityQuads } from '../src/provenance/activity.js';
import { reachable, type Lineage } from '../src/provenance/lineage.js';
import { lineageSvg } from '../src/http/pages/lineage-svg.js';
import { parseWithdrawalBody } from '../src/provenance/versions.js';
import { parseRdf, toNQuads } from '../src/util/rdf.js';
import { Iris } from '../src/model/iris.js';
import { InputError } from '../src/model/problems.js';

const B = 'https://syndb.example.org/datasets/x';
const ttl = (v: string, body: string) => parseRdf(`@prefix dcterms: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <http://schema.org/> . @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix syndb: <https://w3id.org/syndb/ontology#> .
${body.replaceAll('V:', `<${B}/${v}`).replaceAll('G:', `<${B}/${v}/.well-known/genid/`)}`, 'text/turtle');

describe('diffGraphs', () => {
  const v1 = ttl('versions/1', `V:> dcterms:title "Old" ; dcat:keyword "a", "b" ; dcat:version "1" ;
  prov:qualifiedAttribution G:c14n0>, G:c14n1> .
G:c14n0> prov:agent G:c14n2> ; schema:position 1 .  G:c14n2> schema:name "Doe, Jane" .
G:c14n1> prov:agent <https://orcid.org/0000-0002-1825-0097> ; schema:position 2 .
<https://orcid.org/0000-0002-1825-0097> schema:name "Roe, Rich" .`);
  // same creators under other canonical labels; title and keywords changed; Roe moved to first place
  const v2 = ttl('versions/2', `V:> dcterms:title "New" ; dcat:keyword "a", "c" ; dcat:version "2" ; dcat:previousVersion <${B}/versions/1> ;
  prov:qualifiedAttribution G:c14n5>, G:c14n9> .
G:c14n9> prov:agent G:c14n7> ; schema:position 1 .  G:c14n7> schema:name "Doe, Jane" .
G:c14n5> prov:agent <https://orcid.org/0000-0002-1825-0097> ; schema:position 2 .
<https://orcid.org/0000-0002-1825-0097> schema:name "Roe, Rich" .`);

  it('ignores skolem relabelling and the version IRI itself', () => {
    const d = diffGraphs({ subject: `${B}/versions/1`, quads: v1 }, { subject: `${B}/versions/2`, quads: v2 });
    expect(d.changes.map((c) => c.text)).toEqual([
      'title changed from “Old” to “New”',
      'keywords: added “c”; removed “b”',
      'version changed from “1” to “2”',
      `previous version added: “${B}/versions/1”`,
    ]);
    expect(d.added).toEqual([
      `<${B}/versions/2> <http://purl.org/dc/terms/title> "New" .`,
      `<${B}/versions/2> <http://www.w3.org/ns/dcat#keyword> "c" .`,
      `<${B}/versions/2> <http://www.w3.org/ns/dcat#previousVersion> <${B}/versions/1> .`,
      `<${B}/versions/2> <http://www.w3.org/ns/dcat#version> "2" .`,
    ].sort());
    expect(d.removed).toHaveLength(3);
  });

  it('reports a change of author order and of a nested node in plain words', () => {
    const swapped = ttl('versions/2', `V:> dcterms:title "Old" ; dcat:keyword "a", "b" ; dcat:version "1" ;
  prov:qualifiedAttribution G:a>, G:b> .
G:a> prov:agent G:p> ; schema:position 2 .  G:p> schema:name "Doe, Jane" .
G:b> prov:agent <https://orcid.org/0000-0002-1825-0097> ; schema:position 1 .
<https://orcid.org/0000-0002-1825-0097> schema:name "Roe, Rich" .`);
    const d = diffGraphs({ subject: `${B}/versions/1`, quads: v1 }, { subject: `${B}/versions/2`, quads: swapped });
    expect(d.changes.map((c) => c.text)).toEqual(['creators (in order): added “1. Roe, Rich”, “2. Doe, Jane”; removed “1. Doe, Jane”, “2. Roe, Rich”']);
    const renamed = ttl('versions/2', `V:> dcterms:title "Old" ; dcat:keyword "a", "b" ; dcat:version "1" ;
  prov:qualifiedAttribution G:c14n0>, G:c14n1> .
G:c14n0> prov:agent G:c14n2> ; schema:position 1 .  G:c14n2> schema:name "Doe, Jane" ; schema:affiliation "MPI" .
G:c14n1> prov:agent <https://orcid.org/0000-0002-1825-0097> ; schema:position 2 .
<https://orcid.org/0000-0002-1825-0097> schema:name "Roe, Rich" .`);
    const d2 = diffGraphs({ subject: `${B}/versions/1`, quads: v1 }, { subject: `${B}/versions/2`, quads: renamed });
    expect(d2.changes.map((c) => c.text)).toEqual(['creators (in order): details of “1. Doe, Jane” changed']);
    expect(d2.added.join('\n')).toContain('<http://schema.org/affiliation> "MPI"');
  });

  it('identical graphs have no difference', () => {
    const d = diffGraphs({ subject: `${B}/versions/1`, quads: v1 }, { subject: `${B}/versions/1`, quads: [...v1].reverse() });
    expect(d).toEqual({ changes: [], added: [], removed: [] });
  });
});

describe('activity records', () => {
  const iris = new Iris('https://syndb.example.org');
  it('a snapshot input gets its own entity, specialisation of the changing one, with the SHA-256 of its bytes', () => {
    const a = activityQuads(iris, { kind: 'Publish', user: 'alice', startedAt: new Date('2026-01-01T00:00:00Z'), used: [{ snapshotOf: `${B}/draft`, content: 'abc\n' }], generated: [`${B}/versions/1`] }, 'u1');
    const nq = toNQuads(a.quads);
    const A = 'https://syndb.example.org/activities/u1';
    expect(nq).toContain(`<${A}> <http://www.w3.org/ns/prov#used> <${A}/input/1> .`);
    expect(nq).toContain(`<${A}/input/1> <http://www.w3.org/ns/prov#specializationOf> <${B}/draft> .`);
    expect(nq).toContain(`"${createHash('sha256').update('abc\n').digest('hex')}"^^<http://www.w3.org/2001/XMLSchema#hexBinary>`);
    expect(nq).not.toContain(`<${B}/draft> <http://spdx.org/rdf/terms#checksum>`);
  });
});

describe('lineage picture', () => {
  const l: Lineage = {
    root: `${B}/versions/1`,
    nodes: [
      { iri: `${B}/versions/1`, kind: 'version', label: 'A & <B>', details: { dataset: 'x', version: '1' }, depth: 0 },
      { iri: 'https://doi.org/10.1/a', kind: 'publication', label: 'Paper', details: { doi: '10.1/a' }, depth: 1 },
      { iri: `${B}/versions/1/.well-known/genid/c14n1`, kind: 'source-table', label: 'CAVE table t v117', details: { materializationVersion: '117' }, depth: 1 },
      { iri: 'https://example.org/vol', kind: 'external', label: 'https://example.org/vol', details: {}, depth: 2 },
    ],
    edges: [
      { from: `${B}/versions/1`, to: 'https://doi.org/10.1/a', property: 'http://www.w3.org/ns/prov#wasDerivedFrom', relation: 'derived from' },
      { from: `${B}/versions/1`, to: `${B}/versions/1/.well-known/genid/c14n1`, property: 'http://www.w3.org/ns/prov#wasDerivedFrom', relation: 'derived from' },
      { from: 'https://doi.org/10.1/a', to: 'https://example.org/vol', property: 'http://www.w3.org/ns/prov#wasDerivedFrom', relation: 'derived from' },
    ],
  };
  it('draws every node (linked) and every edge, escapes text, and is well-formed XML', () => {
    const svg = lineageSvg(l);
    expect(svg.match(/<rect x="\d+" y="\d+" width="270"/g)).toHaveLength(4);
    expect(svg.match(/marker-end="url\(#arrow\)"/g)).toHaveLength(3);
    expect(svg).toContain('A &amp; &lt;B&gt;');
    expect(svg).toContain('<a href="https://doi.org/10.1/a">');
    expect(svg).not.toMatch(/<script/);
    execFileSync('xmllint', ['--noout', '-'], { input: svg });
    expect([...reachable(l)].sort()).toEqual(['https://doi.org/10.1/a', 'https://example.org/vol', `${B}/versions/1/.well-known/genid/c14n1`]);
    expect(lineageSvg(l)).toBe(svg);
  });
});

describe('withdrawal request', () => {
  const reason = (body: string, type = 'application/json') => {
    try { return parseWithdrawalBody(body, type); } catch (e) { return e as InputError; }
  };
  it('accepts {"reason"} or plain text and names the field of every problem', () => {
    expect(reason('{"reason": "  swapped labels "}')).toBe('swapped labels');
    expect(reason('swapped labels', 'text/plain')).toBe('swapped labels');
    const long = reason(JSON.stringify({ reason: 'x'.repeat(2001) })) as InputError;
    expect(long.problems[0]).toMatchObject({ path: 'reason', message: 'reason is 2001 characters long; at most 2000 are allowed' });
    expect((reason('[1]') as InputError).problems[0].message).toMatch(/must be a JSON object/);
    expect((reason('', 'text/plain') as InputError).status).toBe(422);
  });
});
