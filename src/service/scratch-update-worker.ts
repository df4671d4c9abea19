/**
 * Worker thread of scratch-update.ts: loads the graphs an update may see into a fresh oxigraph
 * store, runs the update there, and posts the triples of every graph before and after it (or the
 * engine's error message). Nothing here touches the real store.
 */
import { parentPort, workerData } from 'node:worker_threads';
import oxigraph from 'oxigraph';
import { tripleLine } from '../util/triple-lines.js';

export interface ScratchInput {
  /** N-Quads whose triples make up the default graph ('' for none). */
  defaultNq: string;
  /** Named graphs the update may see: [name, N-Quads]. */
  graphs: [string, string][];
  update: string;
  baseIri: string;
}

/** N-Triples lines keyed by graph name ('' = the default graph), before and after the update. */
export type ScratchResult = { before: Record<string, string[]>; after: Record<string, string[]> } | { error: string };

function run(w: ScratchInput): ScratchResult {
  const s = new oxigraph.Store();
  if (w.defaultNq) {
    const t = new oxigraph.Store();
    t.load(w.defaultNq, { format: 'application/n-quads' });
    for (const q of t.match(null, null, null, null)) s.add(oxigraph.quad(q.subject, q.predicate, q.object, oxigraph.defaultGraph()));
  }
  for (const [, nq] of w.graphs) if (nq) s.load(nq, { format: 'application/n-quads' });
  const dump = () => {
    const out: Record<string, string[]> = {};
    for (const q of s.match(null, null, null, null)) (out[q.graph.termType === 'DefaultGraph' ? '' : q.graph.value] ||= []).push(tripleLine(q));
    return out;
  };
  const before = dump();
  try {
    s.update(w.update, { base_iri: w.baseIri });
  } catch (e) {
    return { error: String((e as Error | undefined)?.message || e) };
  }
  return { before, after: dump() };
}

parentPort!.postMessage(run(workerData as ScratchInput));
