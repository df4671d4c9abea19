/**
 * The whole-graph check every change to a dataset's draft goes through, whatever the route
 * (PUT /datasets/{id}, SPARQL Update, Graph Store PUT/POST/DELETE, asset uploads, publishing).
 * Callers compute the graph as it would be after the change and call this BEFORE anything is
 * written; a refusal leaves the store unchanged (they throw the InputError, a 422 problem that
 * lists every problem found).
 *
 * What a draft graph <D> (B/datasets/{id}/draft) must be:
 * 1. not empty: it holds the description of its dataset;
 * 2. exactly one dataset node, <D> itself: <D> is a syndb:DatasetVersion, says
 *    `dcterms:isVersionOf <B/datasets/{id}>`, and no other node of the graph is typed
 *    syndb:DatasetVersion, dcat:Dataset or schema:Dataset;
 * 3. nothing loose: every subject of the graph is reached from <D> by following statements
 *    forwards (subject → object) inside the graph. Creators, attributions, specimens,
 *    publications, asset descriptions (<D> dcat:distribution <asset>), checksums are all reached
 *    that way; the shapes validate them through <D> (sh:targetObjectsOf, sh:node, sh:class) or
 *    through their class. The only other start points are rows of the draft's own tables whose
 *    every statement in <D> is `<row> dcat:distribution <asset>` naming an asset described in
 *    the draft (a mesh or skeleton attached to a row). A subject reached from nowhere (e.g.
 *    `<D/junk> syndb:species "not a taxon"`) is refused: no shape would ever look at it;
 * 4. the whole graph conforms to the shapes (shapes/*.ttl, with the ontology's typing).
 *
 * What a draft table graph <T> (B/datasets/{id}/draft/tables/{compartment}) must be:
 * every subject is <T> or under <T>/ (the table description, columns, checksum, rows); each
 * subject under <T>/rows/ that the change touches is a row of that compartment
 * (rdf:type syndb:{Class}) and it conforms to the row shapes, validated with all its
 * statements in the resulting graph (the row shapes look at one row at a time, so this is the
 * same as validating every row). A table graph is never emptied this way (remove a table by
 * uploading the draft anew). Tables made by an importer (no compartment, no row shapes)
 * change only through their importer.
 *
 * Any other graph (free graphs of admins) is validated as a whole against the shapes when it
 * is not empty, as before.
 */
import type { Quad } from '../util/rdf.js';
import { NS, compactIri } from '../model/namespaces.js';
import type { Iris } from '../model/iris.js';
import type { Ontology } from '../model/ontology.js';
import { InputError, type Problem } from '../model/problems.js';
import { compartmentClass } from '../model/compartment-names.js';
import { validate } from '../shacl/validator.js';
import { reportToTurtle, type ValidationReport } from '../shacl/results.js';
import { type Shapes } from '../shacl/shapes.js';

export interface DraftCheckDeps {
  iris: Iris;
  shapes: Shapes;
  ontology: Ontology;
  /** SHACL validation of a graph, off the main thread where the service runs a worker pool. */
  graphValidator?: (quads: Quad[]) => Promise<ValidationReport>;
}

export interface GraphCheck {
  problems: Problem[];
  /** The SHACL report (Turtle) when the shapes found violations. */
  report?: string;
}

/** At most this many loose subjects are listed one by one (the rest are counted). */
const MAX_LISTED = 50;

const RDF_TYPE = `${NS.rdf}type`;
const DATASET_CLASSES = [`${NS.syndb}DatasetVersion`, `${NS.dcat}Dataset`, `${NS.schema}Dataset`];
const DISTRIBUTION = `${NS.dcat}distribution`;
const SOURCE_ASSET = `${NS.syndb}SourceAsset`;
const IS_VERSION_OF = `${NS.dcterms}isVersionOf`;

export type GraphRole =
  | { kind: 'draft'; id: string }
  | { kind: 'table'; id: string; slug: string }
  | { kind: 'other' };

/** Is g a draft graph, a draft table graph, or something else? */
export function graphRole(iris: Iris, g: string): GraphRole {
  const p = iris.parse(g);
  if (!p || p.version !== 'draft') return { kind: 'other' };
  if (!p.rest) return { kind: 'draft', id: p.id };
  const m = /^\/tables\/([a-z-]+)$/.exec(p.rest);
  return m ? { kind: 'table', id: p.id, slug: m[1] } : { kind: 'other' };
}

const violation = (p: Omit<Problem, 'severity'>): Problem => ({ ...p, severity: 'Violation' });

/**
 * Check the content a graph would have after a change.
 * `touched`: subjects the change adds or removes statements of (table graphs: only these rows
 * are validated; undefined = every subject). `draftTables`: the compartments of the draft's
 * tables (rows of these may hold asset links in the draft graph).
 */
export async function checkGraphContent(d: DraftCheckDeps, g: string, quads: Quad[], opts: { touched?: Set<string>; draftTables?: string[] } = {}): Promise<GraphCheck> {
  const role = graphRole(d.iris, g);
  if (role.kind === 'draft') return checkDraftGraph(d, role.id, quads, opts.draftTables ?? []);
  if (role.kind === 'table') return checkDraftTableGraph(d, role.id, role.slug, quads, opts.touched);
  if (quads.length === 0) return { problems: [] };
  return shapesCheck(d, quads);
}

/**
 * The rules 1-4 of the module comment for the draft graph of `id`. `shapesChecked`: the caller
 * has just validated exactly these quads with the shapes (and refused them on a violation), so
 * rule 4 is not run twice.
 */
export async function checkDraftGraph(d: DraftCheckDeps, id: string, quads: Quad[], draftTables: string[], opts: { shapesChecked?: boolean } = {}): Promise<GraphCheck> {
  const D = d.iris.draft(id);
  const C = d.iris.concept(id);
  if (quads.length === 0) {
    return { problems: [violation({ path: '', focusNode: D, message: `the draft of "${id}" would be empty: a draft must hold its dataset description (title, description, creators, licence, …). Change the statements you want to change instead, or replace the whole description with PUT /datasets/${id}` })] };
  }
  const problems: Problem[] = [];
  const bySubject = new Map<string, Quad[]>();
  for (const q of quads) {
    const k = q.subject.value;
    const l = bySubject.get(k);
    if (l) l.push(q); else bySubject.set(k, [q]);
  }
  const own = bySubject.get(D) ?? [];
  if (!own.some((q) => q.predicate.value === RDF_TYPE && q.object.value === `${NS.syndb}DatasetVersion`)) {
    problems.push(violation({ path: 'rdf:type', focusNode: D, message: `the draft must describe its dataset <${D}> as a syndb:DatasetVersion (rdf:type <${NS.syndb}DatasetVersion>)` }));
  }
  const versionOf = own.filter((q) => q.predicate.value === IS_VERSION_OF).map((q) => q.object.value);
  if (!versionOf.includes(C) || versionOf.some((v) => v !== C)) {
    problems.push(violation({ path: 'dcterms:isVersionOf', focusNode: D, value: versionOf.filter((v) => v !== C).join(' ') || undefined, message: `the dataset <${D}> must be a version of <${C}> (dcterms:isVersionOf) and of nothing else` }));
  }
  for (const q of quads) {
    if (q.predicate.value === RDF_TYPE && DATASET_CLASSES.includes(q.object.value) && q.subject.value !== D) {
      problems.push(violation({ path: 'rdf:type', focusNode: q.subject.value, value: q.object.value, message: `a draft holds exactly one dataset, <${D}>; <${q.subject.value}> may not be typed <${q.object.value}> in it` }));
    }
  }
  // rule 3: every subject reached from <D> (or from a row that only links an asset of the draft)
  const assets = new Set(quads.filter((q) => q.predicate.value === RDF_TYPE && q.object.value === SOURCE_ASSET).map((q) => q.subject.value));
  const rowPrefixes = draftTables.map((t) => `${d.iris.table(id, 'draft', t)}/rows/`);
  const roots = [D];
  for (const [s, qs] of bySubject) {
    if (s !== D && rowPrefixes.some((p) => s.startsWith(p)) && qs.every((q) => q.predicate.value === DISTRIBUTION && assets.has(q.object.value))) roots.push(s);
  }
  const reached = new Set<string>(roots);
  const todo = [...roots];
  while (todo.length) {
    for (const q of bySubject.get(todo.pop()!) ?? []) {
      const o = q.object;
      if ((o.termType === 'NamedNode' || o.termType === 'BlankNode') && bySubject.has(o.value) && !reached.has(o.value)) {
        reached.add(o.value);
        todo.push(o.value);
      }
    }
  }
  const loose = [...bySubject.keys()].filter((s) => !reached.has(s));
  for (const s of loose.slice(0, MAX_LISTED)) {
    const first = bySubject.get(s)![0];
    problems.push(violation({ path: compactIri(first.predicate.value), focusNode: s, value: first.object.value, message: `<${s}> is not part of the dataset: every node in the draft of "${id}" must be the dataset <${D}> or be reached from it through its statements (a node nothing points to is never checked by the shapes); link it from the dataset or remove it` }));
  }
  if (loose.length > MAX_LISTED) problems.push(violation({ path: '', focusNode: D, message: `${loose.length - MAX_LISTED} more nodes of the draft are not reached from the dataset <${D}> (not listed)` }));
  if (opts.shapesChecked) return { problems };
  const shapes = await shapesCheck(d, quads);
  return { problems: [...problems, ...shapes.problems], report: shapes.report };
}

/** The rules for a draft table graph (module comment). */
export async function checkDraftTableGraph(d: DraftCheckDeps, id: string, slug: string, quads: Quad[], touched?: Set<string>): Promise<GraphCheck> {
  const T = d.iris.table(id, 'draft', slug);
  const cls = compartmentClass(slug);
  if (!cls) {
    return { problems: [violation({ path: '', focusNode: T, message: `the ${slug} table of "${id}" was made by an importer and has no row shapes to check a change against; change it by importing it again (syndb table import)` })] };
  }
  if (quads.length === 0) {
    return { problems: [violation({ path: '', focusNode: T, message: `the ${slug} table of the draft of "${id}" would be empty; upload the table anew with PUT /datasets/${id}/tables/${slug}, or start a new draft with PUT /datasets/${id}` })] };
  }
  const problems: Problem[] = [];
  const rowsPrefix = `${T}/rows/`;
  const bySubject = new Map<string, Quad[]>();
  for (const q of quads) {
    const k = q.subject.value;
    if (touched && !touched.has(k)) continue;
    const l = bySubject.get(k);
    if (l) l.push(q); else bySubject.set(k, [q]);
  }
  let listed = 0;
  const check: Quad[] = [];
  for (const [s, qs] of bySubject) {
    if (s !== T && !s.startsWith(`${T}/`)) {
      if (listed++ < MAX_LISTED) problems.push(violation({ path: compactIri(qs[0].predicate.value), focusNode: s, value: qs[0].object.value, message: `<${s}> is not a row of the ${slug} table: a table graph holds only its rows (<${rowsPrefix}CID>) and its own description` }));
      continue;
    }
    if (!s.startsWith(rowsPrefix)) continue; // the table's description (columns, checksum): written by the upload
    if (!qs.some((q) => q.predicate.value === RDF_TYPE && q.object.value === cls)) {
      if (listed++ < MAX_LISTED) problems.push(violation({ path: 'rdf:type', focusNode: s, message: `<${s}> is not a ${slug} row: a row of this table is typed <${cls}> and has the table's columns` }));
      continue;
    }
    check.push(...qs);
  }
  if (listed > MAX_LISTED) problems.push(violation({ path: '', focusNode: T, message: `${listed - MAX_LISTED} more subjects of the table are not rows (not listed)` }));
  if (check.length === 0) return { problems };
  const shapes = await shapesCheck(d, check);
  return { problems: [...problems, ...shapes.problems], report: shapes.report };
}

async function shapesCheck(d: DraftCheckDeps, quads: Quad[]): Promise<GraphCheck> {
  const report = d.graphValidator ? await d.graphValidator(quads) : await validate(d.shapes, quads, { extraQuads: d.ontology.typingFor(quads) });
  if (report.conforms) return { problems: [] };
  return {
    problems: report.results.map((r) => ({ path: r.path ?? '', value: r.value, message: r.message, focusNode: r.focusNode, severity: r.severity, constraint: r.constraint })),
    report: reportToTurtle(report),
  };
}

/** Throw the 422 problem for a failed check (nothing has been written yet). */
export function refuseIfInvalid(check: GraphCheck, title: string): void {
  if (check.problems.some((p) => p.severity === 'Violation')) throw new InputError(title, check.problems, 422, check.report);
}
