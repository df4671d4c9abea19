/**
 * Test helpers for SHACL: Apache Jena as the independent referee (jenaValidate, JenaBatch,
 * jenaValidateMany) and report comparison.
 *
 * Compare SHACL validation reports as graphs (shared by the W3C runner and the Jena diff test).
 * A report graph is reduced to a multiset of result keys; each key holds the focus node, the
 * path (serialised structurally, so blank path nodes compare by shape), the value, the severity,
 * the source shape and the constraint component. sh:resultMessage and sh:sourceConstraint are
 * ignored, as the W3C SHACL test suite prescribes.
 */
import { Parser, Store, DataFactory } from 'n3';
import type { Term, Quad } from '@rdfjs/types';
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SH = 'http://www.w3.org/ns/shacl#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const { namedNode } = DataFactory;

export interface ReportKey {
  conforms: boolean | undefined;
  results: string[];
}

export type KeyField = 'focusNode' | 'path' | 'value' | 'severity' | 'sourceShape' | 'constraint';
export const ALL_FIELDS: KeyField[] = ['focusNode', 'path', 'value', 'severity', 'sourceShape', 'constraint'];

function objs(store: Store, s: Term, p: string): Term[] {
  return store.getObjects(s as Quad['subject'], namedNode(p), null);
}

export function termKey(t: Term | undefined, blankAsWildcard = false): string {
  if (!t) return '-';
  switch (t.termType) {
    case 'NamedNode': return `<${t.value}>`;
    case 'BlankNode': return blankAsWildcard ? '_:*' : `_:${t.value}`;
    case 'Literal': return `${JSON.stringify(t.value)}${t.language ? '@' + t.language : ''}^^${t.datatype.value}`;
    default: return t.value;
  }
}

/** Structural form of a path node (blank nodes by their content). */
export function pathKey(store: Store, node: Term | undefined, depth = 0): string {
  if (!node) return '-';
  if (node.termType !== 'BlankNode' || depth > 20) return termKey(node);
  const first = objs(store, node, RDF + 'first');
  if (first.length) {
    const items: string[] = [];
    let n: Term = node;
    while (!(n.termType === 'NamedNode' && n.value === RDF + 'nil')) {
      const f = objs(store, n, RDF + 'first')[0];
      items.push(pathKey(store, f, depth + 1));
      const r: Term | undefined = objs(store, n, RDF + 'rest')[0];
      if (!r) break;
      n = r;
    }
    return `(${items.join(' ')})`;
  }
  const parts = store.getQuads(node as Quad['subject'], null, null, null)
    .map((q) => `${q.predicate.value.replace(SH, 'sh:')}=${pathKey(store, q.object, depth + 1)}`)
    .sort();
  return `[${parts.join(';')}]`;
}

/** Parse a Turtle report (keeping blank node labels as written) into a store. */
export function parseReport(turtle: string): Store {
  return new Store(new Parser({ format: 'text/turtle', blankNodePrefix: '' }).parse(turtle));
}

/** The report node (`?r a sh:ValidationReport`, or the given node) reduced to keys. */
export function reportKey(store: Store, reportNode?: Term, fields: KeyField[] = ALL_FIELDS, blankAsWildcard = false): ReportKey {
  const node = reportNode ?? store.getSubjects(namedNode(RDF + 'type'), namedNode(SH + 'ValidationReport'), null)[0];
  if (!node) throw new Error('no sh:ValidationReport in the report graph');
  const c = objs(store, node, SH + 'conforms')[0];
  const results = objs(store, node, SH + 'result').map((r) => {
    const one = (p: string) => objs(store, r, SH + p)[0];
    const parts: Record<KeyField, string> = {
      focusNode: termKey(one('focusNode'), blankAsWildcard),
      path: pathKey(store, one('resultPath')),
      value: termKey(one('value'), blankAsWildcard),
      severity: termKey(one('resultSeverity')),
      sourceShape: termKey(one('sourceShape'), blankAsWildcard),
      constraint: termKey(one('sourceConstraintComponent')),
    };
    return fields.map((f) => `${f}=${parts[f]}`).join(' | ');
  }).sort();
  return { conforms: c ? c.value === 'true' : undefined, results };
}

/** Differences between two multisets of result keys, for readable assertion messages. */
export function diffKeys(expected: string[], actual: string[]): { missing: string[]; unexpected: string[] } {
  const rest = [...actual];
  const missing: string[] = [];
  for (const e of expected) {
    const i = rest.indexOf(e);
    if (i >= 0) rest.splice(i, 1);
    else missing.push(e);
  }
  return { missing, unexpected: rest };
}

// ---------------------------------------------------------------------------------------
// Apache Jena as referee: `jena shacl validate`, one process per call or one JVM for many
// ---------------------------------------------------------------------------------------

import { JENA } from './shared.js';
export { JENA };

export interface JenaResult {
  focusNode: string;
  path: string;
  value: string;
  severity: string;
  sourceShape: string;
  constraint: string;
  message?: string;
}

export interface JenaReport {
  conforms: boolean;
  results: JenaResult[];
  /** The report exactly as Jena printed it (Turtle). */
  turtle: string;
  store: Store;
}

/** Parse the Turtle report Jena prints. */
export function parseJenaReport(turtle: string): JenaReport {
  const store = new Store(new Parser({ format: 'text/turtle' }).parse(turtle));
  const node = store.getSubjects(namedNode(RDF + 'type'), namedNode(SH + 'ValidationReport'), null)[0];
  if (!node) throw new Error(`Jena printed no sh:ValidationReport:\n${turtle.slice(0, 2000)}`);
  const conforms = objs(store, node, SH + 'conforms')[0]?.value === 'true';
  const results = objs(store, node, SH + 'result').map((r): JenaResult => {
    const one = (p: string) => objs(store, r, SH + p)[0];
    const res: JenaResult = {
      focusNode: termKey(one('focusNode')),
      path: pathKey(store, one('resultPath')),
      value: termKey(one('value')),
      severity: termKey(one('resultSeverity')),
      sourceShape: termKey(one('sourceShape')),
      constraint: termKey(one('sourceConstraintComponent')),
    };
    const m = one('resultMessage');
    if (m) res.message = m.value;
    return res;
  });
  return { conforms, results, turtle, store };
}

/** `jena shacl validate --shapes S --data D` in its own JVM (1-2 s). */
export function jenaValidate(shapesTtlPath: string, dataPath: string): Promise<JenaReport> {
  return new Promise((resolvePromise, reject) => {
    execFile(JENA, ['shacl', 'validate', '--shapes', shapesTtlPath, '--data', dataPath], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`jena shacl validate failed for ${shapesTtlPath} / ${dataPath}: ${stderr || err.message}`)); return; }
      try { resolvePromise(parseJenaReport(stdout)); } catch (e) { reject(e as Error); }
    });
  });
}

/**
 * The same validation as `jena shacl validate` (ShaclValidator on the loaded shapes and data
 * graphs, report written as Turtle), for many file pairs in ONE JVM: a small Java program run
 * by the jena script in Java's source-file mode, so it uses exactly the jars of the referee.
 * Reads "shapes<TAB>data" lines, answers each with the Turtle report and a "#END" line. The data
 * may be several files separated by "|" (one data graph: e.g. a served document plus the ontology).
 */
const BATCH_JAVA = `
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.jena.graph.Graph;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;

public class SyndbJenaShaclBatch {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
    out.println("#READY");
    out.flush();
    String line;
    while ((line = in.readLine()) != null) {
      String[] p = line.split("\\t");
      try {
        Graph shapesGraph = RDFDataMgr.loadGraph(p[0]);
        String[] data = p[1].split("\\\\|");
        Graph dataGraph = RDFDataMgr.loadGraph(data[0]);
        for (int i = 1; i < data.length; i++) RDFDataMgr.read(dataGraph, data[i]);
        ValidationReport report = ShaclValidator.get().validate(Shapes.parse(shapesGraph), dataGraph);
        RDFDataMgr.write(out, report.getGraph(), Lang.TURTLE);
      } catch (Throwable e) {
        out.println("#ERROR " + String.valueOf(e).replace('\\n', ' '));
      }
      out.println("#END");
      out.flush();
    }
  }
}
`;

export class JenaBatch {
  private proc;
  private lines: AsyncIterator<string>;
  private queue: Promise<unknown> = Promise.resolve();
  private ready: Promise<void>;

  constructor() {
    const dir = join(tmpdir(), 'syndb-jena-batch');
    mkdirSync(dir, { recursive: true });
    const src = join(dir, 'SyndbJenaShaclBatch.java');
    writeFileSync(src, BATCH_JAVA);
    this.proc = spawn(JENA, [src], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
    this.lines = lines;
    this.ready = (async () => {
      const first = await lines.next();
      if (first.done || first.value !== '#READY') throw new Error(`Jena batch JVM did not start: ${stderr.slice(0, 2000)}`);
    })();
  }

  /** Validate one pair; calls are queued (one JVM answers them in order). */
  validate(shapesTtlPath: string, dataPath: string): Promise<JenaReport> {
    const run = async (): Promise<JenaReport> => {
      await this.ready;
      this.proc.stdin.write(`${shapesTtlPath}\t${dataPath}\n`);
      const buf: string[] = [];
      for (;;) {
        const n = await this.lines.next();
        if (n.done) throw new Error('Jena batch JVM exited');
        if (n.value === '#END') break;
        buf.push(n.value);
      }
      if (buf[0]?.startsWith('#ERROR')) throw new Error(`Jena failed on ${shapesTtlPath} / ${dataPath}: ${buf[0].slice(7)}`);
      return parseJenaReport(buf.join('\n'));
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    this.proc.stdin.end();
    await new Promise<void>((r) => { if (this.proc.exitCode !== null) r(); else this.proc.on('exit', () => r()); });
  }
}

/**
 * Validate many (shapes, data) file pairs with Jena: one JVM (JenaBatch); if that JVM cannot
 * start, fall back to `jena shacl validate` per pair, two at a time (the machine has 2 cores).
 */
export async function jenaValidateMany(pairs: Array<[shapes: string, data: string]>): Promise<JenaReport[]> {
  let batch: JenaBatch | undefined;
  try {
    batch = new JenaBatch();
    // every queued call settles before the JVM is closed (a failure must not write to a closed pipe)
    const settled = await Promise.allSettled(pairs.map(([s, d]) => batch!.validate(s, d)));
    const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((x) => (x as PromiseFulfilledResult<JenaReport>).value);
  } catch (err) {
    if (!/did not start|exited/.test((err as Error).message)) throw err;
    const out: JenaReport[] = new Array(pairs.length);
    let next = 0;
    const worker = async () => { while (next < pairs.length) { const i = next++; out[i] = await jenaValidate(...pairs[i]); } };
    await Promise.all([worker(), worker()]);
    return out;
  } finally {
    await batch?.close();
  }
}
