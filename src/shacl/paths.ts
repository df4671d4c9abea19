/**
 * SHACL property paths: the ones shacl-engine cannot evaluate are replaced by stand-in predicates
 * whose triples are materialised in the data, and every path has a Turtle and a readable form.
 */
import { Store, DataFactory } from 'n3';
import type { Quad, Term } from '@rdfjs/types';
import type { EnginePathStep } from 'shacl-engine/Validator.js';
import { RDF_FIRST, RDF_NIL, RDF_REST, SH, curie, namedNode, objects, rdfList } from './terms.js';
import { ntTerm } from '../util/nt-term.js';

/** Prefix of the stand-in predicates for complex paths (never seen by users). */
export const PATH_STANDIN = 'urn:syndb:shacl:path:';

/**
 * shacl-engine models a path as a sequence of steps, each one predicate, an alternative of
 * plain predicates, an inverse predicate or a quantified predicate. Any other path (e.g. an
 * alternative whose member is a sequence, `species | specimen/species`, or the inverse of a
 * sequence) would silently match nothing. Such sh:path values are replaced, in the shapes the
 * engine sees, by a stand-in predicate whose triples validate() materialises by evaluating the
 * real path on the data (see materialisePaths). Results are reported with the real path, and
 * closed shapes ignore the stand-ins. The stand-in triples are visible to SHACL-SPARQL queries.
 */
export function rewriteComplexPaths(store: Store): { engineStore: Store; rewrites: Array<{ predicate: string; path: Term }> } {
  const rewrites: Array<{ predicate: string; path: Term }> = [];
  const pathQuads = store.getQuads(null, namedNode(`${SH}path`), null, null);
  const complex = pathQuads.filter((q) => !engineSupportsPath(store, q.object));
  if (complex.length === 0) return { engineStore: store, rewrites };
  const engineStore = new Store(store.getQuads(null, null, null, null));
  const byPath = new Map<string, string>();
  for (const q of complex) {
    const key = pathStructure(store, q.object);
    let predicate = byPath.get(key);
    if (!predicate) {
      predicate = `${PATH_STANDIN}${byPath.size}`;
      byPath.set(key, predicate);
      rewrites.push({ predicate, path: q.object });
    }
    engineStore.removeQuad(q);
    engineStore.addQuad(q.subject, q.predicate, namedNode(predicate));
  }
  // Closed shapes must not count the stand-in triples as extra properties: add the stand-ins
  // to every sh:ignoredProperties list (nested shapes included, e.g. inside sh:xone).
  const ignored = namedNode(`${SH}ignoredProperties`);
  for (const shape of engineStore.getSubjects(namedNode(`${SH}closed`), null, null)) {
    const old = engineStore.getQuads(shape, ignored, null, null);
    const items: Term[] = old.length ? rdfList(engineStore, old[0].object) ?? [] : [];
    for (const q of old) engineStore.removeQuad(q);
    let head: Term = namedNode(RDF_NIL);
    for (const item of [...items, ...rewrites.map((r) => namedNode(r.predicate))].reverse()) {
      const cell = DataFactory.blankNode();
      engineStore.addQuad(cell, namedNode(RDF_FIRST), item as never);
      engineStore.addQuad(cell, namedNode(RDF_REST), head as never);
      head = cell;
    }
    engineStore.addQuad(shape, ignored, head as never);
  }
  return { engineStore, rewrites };
}

function pathStructure(store: Store, node: Term, depth = 0): string {
  if (node.termType !== 'BlankNode' || depth > 50) return ntTerm(node);
  return `[${store.getQuads(node as Quad['subject'], null, null, null).map((q) => `${q.predicate.value}=${pathStructure(store, q.object, depth + 1)}`).sort().join(';')}]`;
}

function engineSupportsStep(store: Store, node: Term): boolean {
  if (node.termType === 'NamedNode') return true;
  const one = (p: string) => objects(store, node, SH + p)[0];
  const alt = one('alternativePath');
  if (alt) return (rdfList(store, alt) ?? []).every((t) => t.termType === 'NamedNode');
  for (const p of ['inversePath', 'zeroOrMorePath', 'oneOrMorePath', 'zeroOrOnePath']) {
    const t = one(p);
    if (t) return t.termType === 'NamedNode';
  }
  return false;
}

function engineSupportsPath(store: Store, node: Term): boolean {
  if (engineSupportsStep(store, node)) return true;
  const list = rdfList(store, node);
  // a sequence of supported steps, nested sequences included (the engine flattens them)
  return !!list && list.length > 0 && list.every((t) => engineSupportsPath(store, t));
}

/** The value nodes reached from `start` by the SHACL path `path` (a node of the shapes graph). */
function evalPath(shapesStore: Store, path: Term, data: Store, start: Term, depth = 0): Term[] {
  if (depth > 100) throw new Error('SHACL path nested too deeply');
  const uniq = (ts: Term[]) => { const m = new Map<string, Term>(); for (const t of ts) m.set(ntTerm(t), t); return [...m.values()]; };
  if (path.termType === 'NamedNode') {
    return start.termType === 'Literal' ? [] : data.getObjects(start as Quad['subject'], path as Quad['predicate'], null);
  }
  const list = rdfList(shapesStore, path);
  if (list && list.length > 0) {
    let current: Term[] = [start];
    for (const step of list) current = uniq(current.flatMap((n) => evalPath(shapesStore, step, data, n, depth + 1)));
    return current;
  }
  const one = (p: string) => objects(shapesStore, path, SH + p)[0];
  let t: Term | undefined;
  if ((t = one('alternativePath'))) {
    return uniq((rdfList(shapesStore, t) ?? []).flatMap((alt) => evalPath(shapesStore, alt, data, start, depth + 1)));
  }
  if ((t = one('inversePath'))) {
    if (t.termType === 'NamedNode') return data.getSubjects(t as Quad['predicate'], start as Quad['object'], null);
    const inner = t;
    const candidates = uniq(data.getSubjects(null, null, null));
    return candidates.filter((c) => evalPath(shapesStore, inner, data, c, depth + 1).some((v) => ntTerm(v) === ntTerm(start)));
  }
  const closure = (inner: Term, includeStart: boolean, maxSteps: number) => {
    const seen = new Map<string, Term>();
    if (includeStart) seen.set(ntTerm(start), start);
    let frontier: Term[] = [start];
    for (let i = 0; i < maxSteps && frontier.length; i++) {
      const next: Term[] = [];
      for (const n of frontier) {
        for (const v of evalPath(shapesStore, inner, data, n, depth + 1)) {
          const k = ntTerm(v);
          if (!seen.has(k)) { seen.set(k, v); next.push(v); }
        }
      }
      frontier = next;
    }
    return [...seen.values()];
  };
  if ((t = one('zeroOrMorePath'))) return closure(t, true, Infinity);
  if ((t = one('oneOrMorePath'))) return closure(t, false, Infinity);
  if ((t = one('zeroOrOnePath'))) return closure(t, true, 1);
  return [];
}

/** Add the stand-in triples of every rewritten path, from every node that could be a focus node. */
export function materialisePaths(shapes: { rewrites: Array<{ predicate: string; path: Term }>; targetNodes: Term[]; store: Store }, data: Store): void {
  if (shapes.rewrites.length === 0) return;
  const starts = new Map<string, Term>();
  for (const q of data.getQuads(null, null, null, null)) {
    starts.set(ntTerm(q.subject), q.subject);
    if (q.object.termType !== 'Literal') starts.set(ntTerm(q.object), q.object);
  }
  for (const t of shapes.targetNodes) starts.set(ntTerm(t), t);
  const added: Array<[Term, string, Term]> = [];
  for (const { predicate, path } of shapes.rewrites) {
    for (const start of starts.values()) {
      if (start.termType === 'Literal') continue;
      for (const v of evalPath(shapes.store, path, data, start)) added.push([start, predicate, v]);
    }
  }
  for (const [s, p, o] of added) data.addQuad(s as Quad['subject'], namedNode(p), o as Quad['object']);
}

export interface PathForms { turtle: string; readable: string }

/** Turtle and readable forms of a SHACL path node in the shapes graph. */
export function pathFromShapes(store: Store, node: Term): PathForms {
  if (node.termType === 'NamedNode') return { turtle: ntTerm(node), readable: curie(node.value) };
  const list = rdfList(store, node);
  if (list && list.length > 0) {
    const parts = list.map((n) => pathFromShapes(store, n));
    return { turtle: `( ${parts.map((p) => p.turtle).join(' ')} )`, readable: parts.map((p) => wrap(p.readable)).join('/') };
  }
  const one = (p: string) => objects(store, node, SH + p)[0];
  let t: Term | undefined;
  if ((t = one('alternativePath'))) {
    const alts = (rdfList(store, t) ?? []).map((n) => pathFromShapes(store, n));
    return { turtle: `[ <${SH}alternativePath> ( ${alts.map((a) => a.turtle).join(' ')} ) ]`, readable: `(${alts.map((a) => a.readable).join('|')})` };
  }
  const unary: Array<[string, (s: string) => string]> = [
    ['inversePath', (s) => `^${wrap(s)}`],
    ['zeroOrMorePath', (s) => `${wrap(s)}*`],
    ['oneOrMorePath', (s) => `${wrap(s)}+`],
    ['zeroOrOnePath', (s) => `${wrap(s)}?`],
  ];
  for (const [p, fmt] of unary) {
    if ((t = one(p))) {
      const inner = pathFromShapes(store, t);
      return { turtle: `[ <${SH}${p}> ${inner.turtle} ]`, readable: fmt(inner.readable) };
    }
  }
  return { turtle: ntTerm(node), readable: `_:${node.value}` };
}

/** Parenthesise a path part unless it is an atom (IRI, CURIE, blank node) or already one parenthesised group. */
function wrap(s: string): string {
  if (/^<[^<>]*>$/.test(s) || /^[^\s/|^*+?()<>]+$/.test(s)) return s;
  if (s.startsWith('(') && s.endsWith(')')) {
    let depth = 0;
    let inIri = false;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '<') inIri = true;
      else if (c === '>') inIri = false;
      else if (!inIri && c === '(') depth++;
      else if (!inIri && c === ')' && --depth === 0 && i < s.length - 1) return `(${s})`;
    }
    return s;
  }
  return `(${s})`;
}

/** Turtle and readable forms of a path as the engine represents it (sequence of steps). */
export function pathFromSteps(steps: EnginePathStep[]): PathForms {
  const parts = steps.map((step): PathForms => {
    const preds = step.predicates.map((p) => ({ turtle: ntTerm(p), readable: curie(p.value) }));
    let base: PathForms = preds.length > 1
      ? { turtle: `[ <${SH}alternativePath> ( ${preds.map((p) => p.turtle).join(' ')} ) ]`, readable: `(${preds.map((p) => p.readable).join('|')})` }
      : preds[0];
    if (step.start === 'object') base = { turtle: `[ <${SH}inversePath> ${base.turtle} ]`, readable: `^${wrap(base.readable)}` };
    switch (step.quantifier) {
      case 'oneOrMore': return { turtle: `[ <${SH}oneOrMorePath> ${base.turtle} ]`, readable: `${wrap(base.readable)}+` };
      case 'zeroOrMore': return { turtle: `[ <${SH}zeroOrMorePath> ${base.turtle} ]`, readable: `${wrap(base.readable)}*` };
      case 'zeroOrOne': return { turtle: `[ <${SH}zeroOrOnePath> ${base.turtle} ]`, readable: `${wrap(base.readable)}?` };
      default: return base;
    }
  });
  if (parts.length === 1) return parts[0];
  return { turtle: `( ${parts.map((p) => p.turtle).join(' ')} )`, readable: parts.map((p) => wrap(p.readable)).join('/') };
}
