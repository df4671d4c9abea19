import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { Parser } from 'n3';
import type { Quad } from '@rdfjs/types';
import { loadSparqlSupport } from '../src/shacl/sparql-constraints.js';
import { compileShapes, loadShapes } from '../src/shacl/shapes.js';
import { packageRoot, projectRoot } from '../src/util/paths.js';
import { validate, validateChunks } from '../src/shacl/validator.js';
import { reportToTurtle, type ValidationReport } from '../src/shacl/results.js';

// some shapes below use SHACL-SPARQL (lazily loaded support)
await loadSparqlSupport();
import { formatReportText, reportToProblemJson, reportToProblems, compactNode, kindName } from '../src/shacl/format-report.js';
import { parseReport, reportKey, JENA } from './helpers/jena.js';

const PREFIXES = `
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
@prefix syndb: <https://w3id.org/syndb/ontology#> .
`;

const SHAPES = `${PREFIXES}
ex:RowShape a sh:NodeShape ;
  sh:targetClass syndb:Synapse ;
  sh:property [ sh:path syndb:cid ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ] ;
  sh:property [ sh:path syndb:voxelVolume ; sh:datatype xsd:double ; sh:minInclusive 0 ] ;
  sh:property [ sh:path syndb:species ; sh:class syndb:Taxon ] ;
  sh:property [ sh:path syndb:doi ; sh:pattern "^10\\\\.\\\\d{4,9}/\\\\S+$" ] ;
  sh:property [ sh:path syndb:inDataset ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path syndb:annotation ; sh:node ex:AnnotationShape ] .
ex:AnnotationShape a sh:NodeShape ;
  sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message "an annotation needs a label"@en ] .
`;

const ROW = (i: number, extra = '') => `<http://x.org/r/${i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/syndb/ontology#Synapse> .
<http://x.org/r/${i}> <https://w3id.org/syndb/ontology#cid> "${i}" .
<http://x.org/r/${i}> <https://w3id.org/syndb/ontology#inDataset> <http://x.org/d> .
<http://x.org/r/${i}> <https://w3id.org/syndb/ontology#voxelVolume> "${i}.5"^^<http://www.w3.org/2001/XMLSchema#double> .
${extra}`;

const shapes = compileShapes(SHAPES);

function find(report: ValidationReport, constraint: string) {
  return report.results.filter((r) => r.constraint === constraint);
}

describe('validate', () => {
  it('accepts conforming data', async () => {
    const report = await validate(shapes, ROW(1) + ROW(2));
    expect(report.results).toEqual([]);
    expect(report.conforms).toBe(true);
  });

  it('reports each problem with focus node, readable path, value and a specific message', async () => {
    const data = ROW(1, `<http://x.org/r/1> <https://w3id.org/syndb/ontology#voxelVolume> "-3"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://x.org/r/1> <https://w3id.org/syndb/ontology#doi> "10.12/x y" .
<http://x.org/r/1> <https://w3id.org/syndb/ontology#species> <http://purl.obolibrary.org/obo/NCBITaxon_10090> .
<http://x.org/r/1> <https://w3id.org/syndb/ontology#annotation> _:a .
_:a <http://www.w3.org/2000/01/rdf-schema#comment> "no label" .
`) + `<http://x.org/r/2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/syndb/ontology#Synapse> .
<http://x.org/r/2> <https://w3id.org/syndb/ontology#cid> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://x.org/r/2> <https://w3id.org/syndb/ontology#voxelVolume> "big"^^<http://www.w3.org/2001/XMLSchema#double> .
`;
    const report = await validate(shapes, data);
    expect(report.conforms).toBe(false);
    // "big" is an ill-formed xsd:double: the comparison with 0 fails, which is a violation too.
    expect(find(report, 'sh:MinInclusiveConstraintComponent').map((r) => r.value).sort()).toEqual(['-3', 'big']);
    const minIncl = find(report, 'sh:MinInclusiveConstraintComponent').filter((r) => r.focusNode === 'http://x.org/r/1');
    expect(minIncl[0]).toMatchObject({ focusNode: 'http://x.org/r/1', path: 'syndb:voxelVolume', value: '-3', severity: 'Violation' });
    expect(minIncl[0].message).toBe('value "-3" of syndb:voxelVolume is below the minimum 0 (inclusive)');
    const pattern = find(report, 'sh:PatternConstraintComponent')[0];
    expect(pattern.message).toContain('"10.12/x y"');
    expect(pattern.message).toContain('/^10\\.\\d{4,9}/\\S+$/');
    const cls = find(report, 'sh:ClassConstraintComponent')[0];
    expect(cls.message).toBe('value NCBITaxon:10090 of syndb:species is not a syndb:Taxon (no rdf:type syndb:Taxon or subclass of it)');
    const node = find(report, 'sh:NodeConstraintComponent')[0];
    expect(node.path).toBe('syndb:annotation');
    expect(node.message).toBe('value a blank node (_:' + node.value!.slice(2) + ') of syndb:annotation does not conform to shape <http://example.org/AnnotationShape>');
    const dts = find(report, 'sh:DatatypeConstraintComponent');
    expect(dts.map((d) => d.message).sort()).toEqual([
      'value "1" of syndb:cid has datatype xsd:integer, expected xsd:string',
      'value "big" of syndb:voxelVolume is not a valid xsd:double (ill-formed lexical form)',
    ]);
    const missing = find(report, 'sh:MinCountConstraintComponent');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ focusNode: 'http://x.org/r/2', path: 'syndb:inDataset' });
    expect(missing[0].value).toBeUndefined();
    expect(missing[0].message).toBe('syndb:inDataset is required: expected at least 1 value');
    expect(report.results).toHaveLength(8);
  });

  it('uses the shape\'s sh:message when there is one', async () => {
    const report = await validate(shapes, `${PREFIXES} ex:a a syndb:Synapse ; syndb:cid "a" ; syndb:inDataset ex:d ; syndb:annotation ex:n .`, { format: 'text/turtle' });
    // sh:node on ex:n: the nested failure is reported as a NodeConstraint on the focus node.
    expect(report.results.map((r) => r.constraint)).toEqual(['sh:NodeConstraintComponent']);
    const direct = compileShapes(`${PREFIXES} ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:node ex:AnnotationShape . ${SHAPES.replace(PREFIXES, '')}`);
    const r2 = await validate(direct, `${PREFIXES} ex:n ex:p 1 .`, { format: 'text/turtle', focusNodes: ['http://example.org/n'] });
    expect(r2.results.map((r) => r.message)).toEqual(['value <http://example.org/n> does not conform to shape <http://example.org/AnnotationShape>']);
    const labelShape = compileShapes(`${PREFIXES} ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message "an annotation needs a label"@en, "eine Annotation braucht ein Label"@de ] .`);
    const r3 = await validate(labelShape, '');
    expect(r3.results.map((r) => r.message)).toEqual(['an annotation needs a label']);
  });

  it('ignores graph names (validates a named graph\'s content) and adds extraQuads to the data graph', async () => {
    const g = ROW(1, '<http://x.org/r/1> <https://w3id.org/syndb/ontology#species> <http://purl.obolibrary.org/obo/NCBITaxon_10090> .')
      .trim().split('\n').map((l) => l.replace(/ \.$/, ' <http://x.org/d/graph> .')).join('\n');
    const without = await validate(shapes, g);
    expect(without.results.map((r) => r.constraint)).toEqual(['sh:ClassConstraintComponent']);
    const typing = new Parser().parse('<http://purl.obolibrary.org/obo/NCBITaxon_10090> a <https://w3id.org/syndb/ontology#Taxon> .') as Quad[];
    expect((await validate(shapes, g, { extraQuads: typing })).conforms).toBe(true);
    expect((await validate(shapes, g, { extraQuads: '<http://purl.obolibrary.org/obo/NCBITaxon_10090> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/syndb/ontology#Taxon> .' })).conforms).toBe(true);
    // quads work as input too
    const quads = new Parser({ format: 'application/n-quads' }).parse(g) as Quad[];
    expect((await validate(shapes, quads, { extraQuads: typing })).conforms).toBe(true);
  });

  it('reads paths back as SPARQL-like text', async () => {
    const s = compileShapes(`${PREFIXES}
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
  sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ] ;
  sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] ;
  sh:property [ sh:path [ sh:alternativePath ( ex:p ( ex:q ex:r ) ) ] ; sh:minCount 1 ] ;
  sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:maxCount 0 ] .`);
    const report = await validate(s, '');
    expect(report.results.map((r) => r.path).sort()).toEqual(['(<http://example.org/p>|<http://example.org/q>/<http://example.org/r>)', '<http://example.org/p>*', '<http://example.org/p>/<http://example.org/q>', '^<http://example.org/p>'].sort());
  });

  it('rejects unparseable data and ill-formed SPARQL constraints with a message naming the problem', async () => {
    await expect(validate(shapes, '<a> <b> .')).rejects.toThrow(/cannot parse data as application\/n-quads/);
    expect(() => compileShapes(`${PREFIXES} ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this ex:q 1 } }" ] .`))
      .toThrow(/MINUS is not allowed/);
  });
});

describe('validateChunks', () => {
  const rows: string[] = [];
  for (let i = 0; i < 300; i++) {
    let extra = '';
    if (i % 17 === 0) extra += `<http://x.org/r/${i}> <https://w3id.org/syndb/ontology#cid> "dup${i}" .\n`;
    if (i % 23 === 0) extra += `<http://x.org/r/${i}> <https://w3id.org/syndb/ontology#annotation> <http://x.org/r/${i}/.well-known/genid/a${i}> .\n<http://x.org/r/${i}/.well-known/genid/a${i}> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n`;
    if (i % 29 === 0) extra += `<http://x.org/r/${i}> <https://w3id.org/syndb/ontology#annotation> _:b${i} .\n_:b${i} <http://www.w3.org/2000/01/rdf-schema#label> "ok" .\n`;
    rows.push(ROW(i, extra));
  }
  const text = rows.join('');
  const quads = new Parser({ format: 'application/n-quads' }).parse(text) as Quad[];
  // Deterministic order that interleaves subjects, so chunking cannot rely on input order.
  const shuffled = quads.map((q, i) => [((i * 7919) % quads.length), q] as const).sort((a, b) => a[0] - b[0]).map(([, q]) => q);

  it('gives the same report as one validation, for any chunk size and input order', async () => {
    const whole = await validate(shapes, text);
    const key = (r: ValidationReport) => r.results.map((x) => JSON.stringify(x)).sort();
    expect(whole.results.length).toBe(Math.ceil(300 / 17) + Math.ceil(300 / 23));
    for (const size of [1, 7, 64, 10_000]) {
      const progress: number[] = [];
      const chunked = await validateChunks(shapes, shuffled, size, { onProgress: (d) => progress.push(d) });
      expect(key(chunked), `chunk size ${size}`).toEqual(key(whole));
      expect(progress.at(-1)).toBe(300);
    }
    async function* gen() { for (const q of quads) yield q; }
    expect(key(await validateChunks(shapes, gen(), 50))).toEqual(key(whole));
  });

  it('follows sh:targetObjectsOf objects into the chunk', async () => {
    const s = compileShapes(`${PREFIXES} ex:S a sh:NodeShape ; sh:targetObjectsOf ex:creator ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .`);
    const data = '<http://x.org/d1> <http://example.org/creator> <http://x.org/p1> .\n<http://x.org/d2> <http://example.org/creator> <http://x.org/p2> .\n<http://x.org/p1> <http://example.org/name> "A" .\n';
    const whole = await validate(s, data);
    expect(whole.results.map((r) => r.focusNode)).toEqual(['http://x.org/p2']);
    const chunked = await validateChunks(s, new Parser({ format: 'application/n-quads' }).parse(data) as Quad[], 1);
    expect(chunked.results.map((r) => r.focusNode)).toEqual(['http://x.org/p2']);
  });

  it('refuses shapes whose constraints look beyond the chunk', async () => {
    const inverse = compileShapes(`${PREFIXES} ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1 ] .`);
    expect(inverse.chunkSafety.safe).toBe(false);
    await expect(validateChunks(inverse, quads, 10)).rejects.toThrow(/sh:inversePath/);
    const sparql = compileShapes(`${PREFIXES} ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?o }" ] .`);
    expect(sparql.chunkSafety.reasons.join()).toMatch(/sh:sparql/);
    expect(shapes.chunkSafety).toEqual({ safe: true, reasons: [] });
    await expect(validateChunks(shapes, quads, 0)).rejects.toThrow(/chunkSize must be a positive integer, got 0/);
  });
});

describe('reportToTurtle', () => {
  it('writes a sh:ValidationReport graph that round-trips and that Jena accepts', async () => {
    const data = ROW(1, `<http://x.org/r/1> <https://w3id.org/syndb/ontology#cid> "say \\"hi\\"\\n" .\n<http://x.org/r/1> <https://w3id.org/syndb/ontology#annotation> _:a .\n_:a <http://example.org/x> "1" .\n`);
    const report = await validate(shapes, data);
    expect(report.results.length).toBe(2);
    const ttl = reportToTurtle(report);
    const key = reportKey(parseReport(ttl));
    expect(key.conforms).toBe(false);
    expect(key.results).toHaveLength(2);
    expect(key.results.join('\n')).toContain('path=<https://w3id.org/syndb/ontology#cid>');
    const empty = reportToTurtle(await validate(shapes, ROW(3)));
    expect(reportKey(parseReport(empty))).toEqual({ conforms: true, results: [] });
    const dir = mkdtempSync(join(tmpdir(), 'shacl-ttl-'));
    writeFileSync(join(dir, 'a.ttl'), ttl);
    writeFileSync(join(dir, 'b.ttl'), empty);
    // riot exits non-zero on a syntax error
    execFileSync(JENA, ['riot', '--validate', join(dir, 'a.ttl'), join(dir, 'b.ttl')], { stdio: 'pipe' });
  }, 30_000);
});

describe('format-report', () => {
  it('prints one line per result, grouped by kind with counts', async () => {
    const data = ROW(1, '<http://x.org/r/1> <https://w3id.org/syndb/ontology#cid> "2" .\n') + ROW(2, '<http://x.org/r/2> <https://w3id.org/syndb/ontology#cid> "3" .\n') +
      '<http://x.org/r/3> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/syndb/ontology#Synapse> .\n';
    const report = await validate(shapes, data);
    const text = formatReportText(report, { baseIri: 'http://x.org', source: 'rows.nt' });
    expect(text).toBe([
      'rows.nt: not valid: 4 violations',
      '',
      'Violation — maxCount (2)',
      '  /r/1  syndb:cid: syndb:cid has too many values: expected at most 1',
      '  /r/2  syndb:cid: syndb:cid has too many values: expected at most 1',
      '',
      'Violation — minCount (2)',
      '  /r/3  syndb:cid: syndb:cid is required: expected at least 1 value',
      '  /r/3  syndb:inDataset: syndb:inDataset is required: expected at least 1 value',
      '',
    ].join('\n'));
    expect(formatReportText(report, { maxPerKind: 1 })).toContain('  … and 1 more');
    expect(formatReportText({ conforms: true, results: [] })).toBe('valid (conforms to all shapes)\n');
    expect(compactNode('http://purl.obolibrary.org/obo/NCBITaxon_10090')).toBe('NCBITaxon:10090');
    expect(compactNode('http://other.org/x')).toBe('<http://other.org/x>');
    expect(kindName('sh:QualifiedMinCountConstraintComponent')).toBe('qualifiedMinCount');
  });

  it('builds problem+json with path, value, message, focusNode, severity', async () => {
    const report = await validate(shapes, ROW(1, '<http://x.org/r/1> <https://w3id.org/syndb/ontology#voxelVolume> "-1"^^<http://www.w3.org/2001/XMLSchema#double> .\n'));
    const body = reportToProblemJson(report, { instance: '/datasets/x' });
    expect(body).toMatchObject({ status: 422, conforms: false, instance: '/datasets/x', detail: '1 violation; nothing was stored' });
    expect(body.errors).toEqual([{
      path: 'syndb:voxelVolume', value: '-1', message: 'value "-1" of syndb:voxelVolume is below the minimum 0 (inclusive)',
      focusNode: 'http://x.org/r/1', severity: 'Violation', constraint: 'sh:MinInclusiveConstraintComponent',
      sourceShape: expect.stringMatching(/^_:/),
    }]);
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
    expect(reportToProblems(report)[0]).toMatchObject({ path: 'syndb:voxelVolume', value: '-1', severity: 'Violation' });
  });
});

describe('loadShapes / projectRoot', () => {
  it('finds the project root from src/ and from dist/src/', () => {
    const root = projectRoot();
    expect(root).toBe(join(import.meta.dirname, '..'));
    expect(packageRoot(pathToFileURL(join(root, 'dist', 'src', 'shacl', 'validator.js')).href)).toBe(root);
    expect(packageRoot(pathToFileURL(join(root, 'src', 'shacl', 'validator.ts')).href)).toBe(root);
  });

  it('merges every shapes/*.ttl of a folder and names the file of a syntax error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shapes-'));
    writeFileSync(join(dir, 'a.ttl'), `${PREFIXES} ex:A a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .`);
    writeFileSync(join(dir, 'b.ttl'), `${PREFIXES} ex:B a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .`);
    writeFileSync(join(dir, 'notes.txt'), 'not a shapes file');
    const s = await loadShapes(dir);
    expect(s.files.map((f) => f.slice(dir.length + 1))).toEqual(['a.ttl', 'b.ttl']);
    const report = await validate(s, '');
    expect(report.results.map((r) => r.path).sort()).toEqual(['<http://example.org/p>', '<http://example.org/q>']);
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'c.ttl'), `${PREFIXES} ex:C a sh:NodeShape ; sh:path .`);
    await expect(loadShapes(join(dir, 'bad'))).rejects.toThrow(/cannot parse .*c\.ttl as text\/turtle/);
    await expect(loadShapes(join(dir, 'bad', 'nothing'))).rejects.toThrow();
  });

  it('loads the project shapes', async () => {
    const s = await loadShapes();
    expect(s.files.length).toBeGreaterThan(0);
    expect(s.quads.length).toBeGreaterThan(10);
  });
});



describe('complex paths the engine cannot evaluate by itself', () => {
  it('evaluates an alternative with a sequence member (the SynDB one-species rule)', async () => {
    const s = compileShapes(`${PREFIXES}
ex:S a sh:NodeShape ; sh:targetClass ex:D ;
  sh:property [ sh:path [ sh:alternativePath ( syndb:species ( syndb:specimen syndb:species ) ) ] ; sh:maxCount 1 ] ;
  sh:property [ sh:path [ sh:inversePath ( ex:a ex:b ) ] ; sh:minCount 1 ] ;
  sh:closed true ; sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> syndb:species syndb:specimen ) .`);
    expect(s.rewrites).toHaveLength(2);
    const ok = await validate(s, `${PREFIXES} ex:d a ex:D ; syndb:species ex:mouse ; syndb:specimen [ syndb:species ex:mouse ] . ex:x ex:a [ ex:b ex:d ] .`, { format: 'text/turtle' });
    expect(ok.results).toEqual([]);
    const bad = await validate(s, `${PREFIXES} ex:d a ex:D ; syndb:species ex:mouse ; syndb:specimen [ syndb:species ex:human ] .`, { format: 'text/turtle' });
    expect(bad.results.map((r) => [r.constraint, r.path]).sort()).toEqual([
      ['sh:MaxCountConstraintComponent', '(syndb:species|syndb:specimen/syndb:species)'],
      ['sh:MinCountConstraintComponent', '^(<http://example.org/a>/<http://example.org/b>)'],
    ]);
    expect(reportToTurtle(bad)).not.toContain('urn:syndb');
  });
});
