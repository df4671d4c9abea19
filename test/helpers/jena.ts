/**
 * Compare SHACL validation reports as graphs (shared by the W3C runner and the Jena diff test).
 * A report graph is reduced to a multiset of result keys; each key holds the focus node, the
 * path (serialised structurally, so blank path nodes compare by shape), the value, the severity,
 * the source shape and the constraint component. sh:resultMessage and sh:sourceConstraint are
 * ignored, as the W3C SHACL test suite prescribes.
 */
import { Parser, Store, DataFactory } from 'n3';
import type { Term, Quad } from '@rdfjs/types';

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
      const r = objs(store, n, RDF + 'rest')[0];
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
