/**
 * Where the CPU-heavy steps of a write run: small inputs on the main thread (cheaper than a round
 * trip), large ones in the parse workers (check-pool.ts), so the event loop keeps serving.
 * Without a pool (CLI, SYNDB_PARSE_WORKERS=0) everything runs inline.
 */
import type { Quad } from '../util/rdf.js';
import { toNQuads } from '../util/rdf.js';
import type { InputFormat } from '../model/parse-input.js';
import type { InputLimits } from '../model/input-limits.js';
import type { ValidationReport } from '../shacl/results.js';
import { checkDataset, validateGraph, type CheckDeps, type CheckResult } from './datasets.js';
import { parseGraphText } from './graph-body.js';
import type { CheckPool } from './check-pool.js';

export interface OffThreadOptions {
  /** Bodies up to this many bytes are handled inline (config.parseInlineBytes). */
  inlineBytes: number;
  limits: InputLimits;
}

/** Graphs up to this many triples are validated inline (a few ms each). */
const INLINE_TRIPLES = 300;

export class OffThread {
  constructor(private readonly deps: CheckDeps, private readonly o: OffThreadOptions, private readonly pool?: CheckPool) {}

  private inline(text: string) {
    return !this.pool || (text.length <= this.o.inlineBytes && Buffer.byteLength(text) <= this.o.inlineBytes);
  }

  /** Parse, normalise, skolemise and validate a dataset upload. */
  check(body: string, format: InputFormat, opts: { id?: string } = {}): Promise<CheckResult> {
    return this.inline(body) ? checkDataset({ ...this.deps, limits: this.o.limits }, body, format, opts) : this.pool!.check(body, format, opts);
  }

  /** A Graph Store body -> N-Triples lines, with the input limits (GraphSyntaxError, InputLimitError). */
  async parseGraph(body: string, format: string, base: string): Promise<string[]> {
    return this.inline(body) ? parseGraphText(body, format, base, this.o.limits) : this.pool!.parseGraph(body, format, base);
  }

  /** SHACL validation of one whole graph (Graph Store and SPARQL Update writes). */
  validateGraph(quads: Quad[]): Promise<ValidationReport> {
    return !this.pool || quads.length <= INLINE_TRIPLES ? validateGraph(this.deps, quads) : this.pool.validate(toNQuads(quads));
  }

  close() { return this.pool?.close(); }
}
