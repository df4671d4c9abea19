/**
 * A remote transaction as a plan (remote-store.ts, "Atomic writes without server transactions"):
 * the ops become staging graphs with the distinct quads each must hold, in an order-free form, and
 * the SPARQL update steps that switch a plan in, register its graphs and drop its staging.
 */
import { createHash } from 'node:crypto';
import { StoreError } from '../graph-store.js';
import type { CheckedOp } from './ops.js';
import { ntTerm } from '../../util/nt-term.js';
import { NS, REGISTRY_GRAPH, STAGING_PREFIX, UPLOADS_GRAPH, WAL_GRAPH, type PartRef } from './graphs.js';

export type PlanOp = { op: 'clear'; graph: string } | { op: 'add' | 'delete'; parts: PartRef[] };
/** `upload`: the key of the resumable load whose record the switch deletes. */
export interface Plan { tx: string; ops: PlanOp[]; upload?: string }

/** Distinct triples (N-Triples lines) of a staged part. */
export interface StagedPart { graph: string; staging: string; lines: string[] }
/** A copy staged by the server: page k of the source goes into parts[k]. */
export interface CopyJob { from: string; rewrite?: [string, string]; parts: PartRef[] }

/**
 * Group every add/delete by target graph into staging graphs of distinct triples (at most
 * sliceQuads each). Adds are reduced to their net effect (a quad a later op deletes or clears is
 * not staged), so that the switch can delete everything cleared or deleted, then insert the net
 * adds, which gives the same state as the ops in order.
 *
 * A copy becomes an add whose staging graphs the server fills itself (copyUpdate, one page of at
 * most sliceQuads per staging graph; `sizes` holds the quads of each source). It is staged before
 * the switch, so it reads its source as it was before the transaction: a copy from a graph that
 * an earlier op of the same transaction changes, or into a graph that a later op deletes quads
 * from, is refused (the embedded store applies those in order; no caller needs them).
 */
export function planTransaction(tx: string, parsed: CheckedOp[], sizes: Map<string, number>, slice: number): { plan: Plan; staged: StagedPart[]; copies: CopyJob[] } {
  const staged: StagedPart[] = [];
  const copies: CopyJob[] = [];
  const clearedLater = new Set<string>();
  const deletedLater = new Set<string>();
  const deletedFromLater = new Set<string>();
  const ops: PlanOp[] = new Array(parsed.length);
  const changedBefore = new Set<string>();
  parsed.forEach((op, i) => {
    if (op.op === 'copy' && changedBefore.has(op.from)) {
      throw new StoreError(`op #${i + 1} (copy): an earlier op of the same transaction changes ${op.from}; on an external store a copy reads its source as it was before the transaction, so change the source in a transaction of its own first`, 'bad-input');
    }
    if (op.op === 'clear') changedBefore.add(op.graph);
    else if (op.op === 'copy') changedBefore.add(op.to);
    else for (const q of op.quads) changedBefore.add(q.graph.value);
  });
  for (let i = parsed.length - 1; i >= 0; i--) {
    const op = parsed[i];
    if (op.op === 'clear') {
      ops[i] = { op: 'clear', graph: op.graph };
      clearedLater.add(op.graph);
      continue;
    }
    if (op.op === 'copy') {
      if (deletedFromLater.has(op.to)) {
        throw new StoreError(`op #${i + 1} (copy): a later op of the same transaction deletes quads from ${op.to}; on an external store a copy cannot be followed by deletions from its target in one transaction`, 'bad-input');
      }
      const n = clearedLater.has(op.to) ? 0 : sizes.get(op.from) ?? 0;
      const tag = createHash('sha1').update(op.to).digest('hex').slice(0, 8);
      const parts: PartRef[] = [];
      for (let k = 0; k * slice < n; k++) parts.push({ graph: op.to, staging: `${STAGING_PREFIX}${tx}:${i}:c${k}:${tag}`, count: Math.min(slice, n - k * slice) });
      ops[i] = { op: 'add', parts };
      if (parts.length) copies.push({ from: op.from, rewrite: op.rewrite, parts });
      continue;
    }
    const byGraph = new Map<string, Set<string>>();
    for (const q of op.quads) {
      const g = q.graph.value;
      const line = `${ntTerm(q.subject)} ${ntTerm(q.predicate)} ${ntTerm(q.object)} .`;
      if (op.op === 'add' && (clearedLater.has(g) || deletedLater.has(`${line} ${g}`))) continue;
      let set = byGraph.get(g);
      if (!set) byGraph.set(g, (set = new Set()));
      set.add(line);
    }
    if (op.op === 'delete') {
      for (const [g, lines] of byGraph) for (const l of lines) deletedLater.add(`${l} ${g}`);
      for (const q of op.quads) deletedFromLater.add(q.graph.value);
    }
    const parts: PartRef[] = [];
    let j = 0;
    for (const [graph, set] of byGraph) {
      const all = [...set];
      for (let k = 0; k < all.length; k += slice) {
        const lines = k === 0 && all.length <= slice ? all : all.slice(k, k + slice);
        const staging = `${STAGING_PREFIX}${tx}:${i}:${j++}:${createHash('sha1').update(graph).digest('hex').slice(0, 8)}`;
        staged.push({ graph, staging, lines });
        parts.push({ graph, staging, count: lines.length });
      }
    }
    ops[i] = { op: op.op, parts };
  }
  staged.reverse();
  copies.reverse();
  return { plan: { tx, ops }, staged, copies };
}

/** Bookkeeping after the data steps: register the graphs, delete the record(s). Order matters: the record goes last. */
export function finishSteps(plan: Plan): string[] {
  const registered = new Set<string>();
  for (const op of plan.ops) if (op.op === 'add') for (const p of op.parts) registered.add(p.graph);
  const steps: string[] = [];
  if (registered.size) steps.push(`INSERT DATA { GRAPH <${REGISTRY_GRAPH}> { ${[...registered].map((g) => `<${g}> a <${NS}Graph> .`).join(' ')} } }`);
  if (plan.upload) steps.push(`DELETE WHERE { GRAPH <${UPLOADS_GRAPH}> { <${NS}upload/${plan.upload}> ?p ?o } }`);
  steps.push(`DELETE WHERE { GRAPH <${WAL_GRAPH}> { <${NS}tx/${plan.tx}> ?p ?o } }`);
  return steps;
}

export function dropSteps(plan: Plan): string[] {
  return plan.ops.flatMap((o) => (o.op === 'clear' ? [] : o.parts.map((p) => `DROP SILENT GRAPH <${p.staging}>`)));
}

/**
 * The switch of a small plan: ONE update operation applies the whole plan from its staging graphs,
 * then (same request) the graphs are registered, the record deleted and the staging graphs dropped.
 */
export function switchRequest(plan: Plan): string {
  const del: string[] = [];
  const ins: string[] = [];
  for (const op of plan.ops) {
    if (op.op === 'clear') {
      del.push(`{ GRAPH <${op.graph}> { ?s ?p ?o } BIND(<${op.graph}> AS ?dg) }`);
      continue;
    }
    for (const p of op.parts) {
      if (op.op === 'add') ins.push(`{ GRAPH <${p.staging}> { ?as ?ap ?ao } BIND(<${p.graph}> AS ?ag) }`);
      else del.push(`{ GRAPH <${p.staging}> { ?s ?p ?o } BIND(<${p.graph}> AS ?dg) }`);
    }
  }
  const steps: string[] = [];
  if (del.length || ins.length) {
    const d = del.length ? `DELETE { GRAPH ?dg { ?s ?p ?o } }\n` : '';
    const i = ins.length ? `INSERT { GRAPH ?ag { ?as ?ap ?ao } }\n` : '';
    steps.push(`${d}${i}WHERE { ${[...del, ...ins].join('\n UNION ')} }`);
  }
  // the staging goes before the record: every staging graph is named by a record until it is gone
  const finish = finishSteps(plan);
  steps.push(...finish.slice(0, -1), ...dropSteps(plan), finish[finish.length - 1]);
  return steps.join(' ;\n');
}
