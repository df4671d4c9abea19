/**
 * The three upload forms of a dataset (JSON, JSON-LD, Turtle) -> triples about the draft IRI.
 * JSON-LD contexts are served from ontologies/ only: nothing is fetched from the network.
 */
import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import type { Quad, Term } from '../util/rdf.js';
import { df, parseRdf, RdfSyntaxError, RDF_TYPE } from '../util/rdf.js';
import { NS } from './namespaces.js';
import { Iris, slugify, SLUG } from './iris.js';
import { datasetJsonToRdf, ACCESS, type AccessLevel, type TermResolver } from './dataset-json.js';
import { InputError, type Problem } from './problems.js';
import { projectPath } from '../util/paths.js';
import { checkJsonLimits, checkQuadLimits, DEFAULT_INPUT_LIMITS, type InputLimits } from './input-limits.js';

export type InputFormat = 'json' | 'jsonld' | 'turtle';

export interface ParsedDataset {
  id: string;
  /** true when the id came from the input (a clash is then a 409, not a reason to pick another id). */
  idGiven: boolean;
  access: AccessLevel;
  /** Triples (default graph) about `subject`, blank nodes not yet skolemised. */
  quads: Quad[];
  subject: string;
  problems: Problem[];
}

/** Pick the input format from a media type. */
export function formatFromMediaType(mediaType: string | undefined): InputFormat | undefined {
  const m = (mediaType ?? '').split(';')[0].trim().toLowerCase();
  if (m === 'application/json' || m === '') return 'json';
  if (m === 'application/ld+json') return 'jsonld';
  if (m === 'text/turtle' || m === 'application/x-turtle') return 'turtle';
  return undefined;
}

const PLACEHOLDER = 'https://upload.syndb.invalid/dataset';
const DATASET_TYPES = new Set([NS.dcat + 'Dataset', NS.schema + 'Dataset', NS.syndb + 'DatasetVersion']);

let contextCache: object | undefined;
export function localContext(): object {
  contextCache ??= JSON.parse(readFileSync(projectPath('ontologies/context.jsonld'), 'utf8'));
  return contextCache!;
}

/** A JSON-LD document loader that knows only our bundled context. */
export const documentLoader = async (url: string) => {
  if (/(^|\/)context\.jsonld$/.test(url) || url === 'https://w3id.org/syndb/context.jsonld') {
    return { contextUrl: undefined, documentUrl: url, document: localContext() };
  }
  throw new InputError('Remote JSON-LD context', [{ path: '@context', value: url, severity: 'Violation',
    message: 'remote contexts are not fetched; use "https://w3id.org/syndb/context.jsonld" (bundled) or inline the context' }], 422);
};

function jsonSyntaxError(body: string, e: Error): InputError {
  const pos = /position (\d+)/.exec(e.message);
  let where = '';
  if (pos) {
    const before = body.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    const col = Number(pos[1]) - before.lastIndexOf('\n');
    where = ` at line ${line}, column ${col}`;
  }
  return new InputError('Malformed JSON', [{ path: '$', severity: 'Violation', message: `the body is not valid JSON${where}: ${e.message}` }], 400);
}

export interface ParseContext {
  iris: Iris;
  vocabulary: TermResolver;
  /** An id chosen by the caller (e.g. PUT /datasets/{id}); must agree with the input if it names one. */
  id?: string;
  /** Count and depth limits (default: DEFAULT_INPUT_LIMITS). */
  limits?: InputLimits;
}

export async function parseDatasetInput(body: string, format: InputFormat, ctx: ParseContext): Promise<ParsedDataset> {
  const limits = ctx.limits ?? DEFAULT_INPUT_LIMITS;
  if (format === 'json') {
    let json: unknown;
    try { json = JSON.parse(body); } catch (e) { throw jsonSyntaxError(body, e as Error); }
    checkJsonLimits(json, limits);
    const obj = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    let id = ctx.id ?? (typeof obj.id === 'string' && SLUG.test(obj.id) ? obj.id : undefined);
    const idGiven = id !== undefined;
    if (ctx.id && typeof obj.id === 'string' && obj.id !== ctx.id) {
      throw new InputError('Id mismatch', [{ path: 'id', value: obj.id, severity: 'Violation', message: `the body names dataset "${obj.id}" but the URL names "${ctx.id}"` }], 422);
    }
    id ??= slugify(typeof obj.title === 'string' ? obj.title : 'dataset');
    const subject = ctx.iris.draft(id);
    const r = datasetJsonToRdf(json, { subject, vocabulary: ctx.vocabulary, conceptIri: (x) => ctx.iris.concept(x) });
    checkQuadLimits(r.quads, limits);
    return { id, idGiven, access: r.access, quads: r.quads, subject, problems: r.problems };
  }

  let quads: Quad[];
  if (format === 'turtle') {
    try { quads = parseRdf(body, 'text/turtle', PLACEHOLDER); } catch (e) {
      if (e instanceof RdfSyntaxError) throw new InputError('Malformed Turtle', [{ path: '$', severity: 'Violation', message: `the body is not valid Turtle: ${e.message}` }], 400);
      throw e;
    }
  } else {
    let doc: unknown;
    try { doc = JSON.parse(body); } catch (e) { throw jsonSyntaxError(body, e as Error); }
    checkJsonLimits(doc, limits);
    try {
      const nq = await jsonld.toRDF(doc as jsonld.JsonLdDocument, { base: PLACEHOLDER, format: 'application/n-quads', documentLoader: documentLoader as never, safe: true } as never) as unknown as string;
      quads = parseRdf(nq, 'application/n-quads');
    } catch (e) {
      if (e instanceof InputError) throw e;
      const err = e as { message?: string; details?: unknown; name?: string };
      const detail = err.details && typeof err.details === 'object' && 'event' in (err.details as object)
        ? `: ${JSON.stringify((err.details as { event: { message?: string } }).event.message ?? err.details)}` : '';
      throw new InputError('Malformed JSON-LD', [{ path: '$', severity: 'Violation', message: `the body is not valid JSON-LD: ${err.message ?? String(e)}${detail}` }], 422);
    }
  }
  checkQuadLimits(quads, limits);
  if (quads.some((q) => q.graph.termType !== 'DefaultGraph')) {
    throw new InputError('Named graphs in upload', [{ path: '$', severity: 'Violation', message: 'a dataset upload is one graph; remove the named graphs (@graph with @id / TriG GRAPH blocks)' }], 422);
  }

  // Find the one dataset node.
  const typedDatasets = new Set<string>();
  const objects = new Set<string>();
  for (const q of quads) {
    if (q.predicate.equals(RDF_TYPE) && DATASET_TYPES.has(q.object.value)) typedDatasets.add(key(q.subject));
    if (q.object.termType !== 'Literal') objects.add(key(q.object));
  }
  const roots = [...typedDatasets].filter((k) => !objects.has(k));
  if (roots.length !== 1) {
    throw new InputError('No single dataset', [{ path: 'rdf:type', severity: 'Violation',
      message: roots.length === 0 ? 'the graph must describe one dataset: a node typed dcat:Dataset (or schema:Dataset, syndb:DatasetVersion) that no other node points to'
        : `the graph describes ${roots.length} datasets (${roots.join(', ')}); upload one dataset per request` }], 422);
  }
  const rootKey = roots[0];
  let id = ctx.id;
  let idGiven = id !== undefined;
  if (rootKey.startsWith('<')) {
    const rootIri = rootKey.slice(1, -1);
    const parsed = ctx.iris.parse(rootIri);
    if (parsed) {
      if (ctx.id && parsed.id !== ctx.id) throw new InputError('Id mismatch', [{ path: '@id', value: rootIri, severity: 'Violation', message: `the body names dataset "${parsed.id}" but the URL names "${ctx.id}"` }], 422);
      id = parsed.id; idGiven = true;
    } else if (rootIri !== PLACEHOLDER) {
      throw new InputError('Dataset IRI', [{ path: '@id', value: rootIri, severity: 'Violation',
        message: `the dataset node must be the document itself (<> in Turtle, "@id": "" in JSON-LD), a blank node, or ${ctx.iris.base}/datasets/{id}` }], 422);
    }
  }
  const title = quads.find((q) => key(q.subject) === rootKey && q.predicate.value === NS.dcterms + 'title')?.object.value;
  id ??= slugify(title ?? 'dataset');
  const subject = ctx.iris.draft(id);
  const D = df.namedNode(subject);
  const rewrite = (t: Term): Term => {
    if (key(t) === rootKey) return D;
    if (t.termType === 'NamedNode') {
      if (t.value.startsWith(PLACEHOLDER)) return df.namedNode(subject + t.value.slice(PLACEHOLDER.length));
      const p = ctx.iris.parse(t.value);
      if (p && p.id === id && (p.version === undefined || p.version === 'draft') && p.rest) return df.namedNode(subject + p.rest);
    }
    return t;
  };
  const out = quads.map((q) => df.quad(rewrite(q.subject) as Quad['subject'], q.predicate, rewrite(q.object) as Quad['object']));
  const accessIri = out.find((q) => q.subject.equals(D) && q.predicate.value === NS.dcterms + 'accessRights')?.object.value;
  const access = (Object.entries(ACCESS).find(([, v]) => v === accessIri)?.[0] ?? 'public') as AccessLevel;
  if (!accessIri) out.push(df.quad(D, df.namedNode(NS.dcterms + 'accessRights'), df.namedNode(ACCESS.public)));
  return { id, idGiven, access, quads: out, subject, problems: [] };
}

function key(t: Term): string {
  return t.termType === 'BlankNode' ? `_:${t.value}` : t.termType === 'NamedNode' ? `<${t.value}>` : JSON.stringify(t.value);
}
