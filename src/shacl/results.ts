/** The engine's results as readable ValidationResults (fields, Turtle terms, messages), and the report as a SHACL report graph. */
import { Store } from 'n3';
import type { Term, DatasetCore } from '@rdfjs/types';
import type { EngineResult } from 'shacl-engine/Validator.js';
import { NS } from '../model/namespaces.js';
import { PATH_STANDIN, PathForms, pathFromShapes, pathFromSteps } from './paths.js';
import { SH, curie, objects, rdfList } from './terms.js';
import { escapeLiteral, ntTerm } from '../util/nt-term.js';

export type Severity = 'Violation' | 'Warning' | 'Info';

export interface ValidationResult {
  /** The focus node: an IRI, or `_:label` for a blank node. */
  focusNode: string;
  /** The result path, readable: a CURIE (`syndb:species`) or a SPARQL-like path (`^ex:p/ex:q`, `(ex:a|ex:b)`, `ex:p*`). */
  path?: string;
  /** The offending value, readable: the lexical form of a literal, an IRI, or `_:label`. */
  value?: string;
  /** What is wrong, in one sentence: the shape's sh:message if it has one, else a message naming the value and what was expected. */
  message: string;
  severity: Severity;
  /** The shape that produced the result: IRI or `_:label`. */
  sourceShape?: string;
  /** The constraint component as a CURIE, e.g. `sh:MinCountConstraintComponent`. */
  constraint: string;
  /** The same things as RDF terms in Turtle/N-Triples syntax (used by reportToTurtle and tests). */
  terms: {
    focusNode: string;
    value?: string;
    /** Turtle form of the SHACL path (`<p>`, `[ <sh#inversePath> <p> ]`, `( <a> <b> )`). */
    path?: string;
    severity: string;
    sourceShape?: string;
    constraint: string;
    sourceConstraint?: string;
  };
}

export interface ValidationReport {
  conforms: boolean;
  results: ValidationResult[];
  /** The engine's own report graph, only when `options.raw` was set. Not JSON-serialisable. */
  raw?: DatasetCore;
}

function readableTerm(t: Term): string {
  if (t.termType === 'BlankNode') return `_:${t.value}`;
  return t.value;
}

function readableForMessage(t: Term): string {
  if (t.termType === 'Literal') return JSON.stringify(t.value) + (t.language ? `@${t.language}` : '');
  if (t.termType === 'BlankNode') return `a blank node (_:${t.value})`;
  return curie(t.value);
}

function severityName(t: Term): Severity {
  if (t.value === `${SH}Warning`) return 'Warning';
  if (t.value === `${SH}Info`) return 'Info';
  return 'Violation';
}

export function convertResult(r: EngineResult, shapesStore: Store): ValidationResult {
  const focus = r.focusNode.term!;
  const shapeTerm = r.shape.ptr.term;
  let path: PathForms | undefined;
  const standIn = !!r.path?.some((step) => step.predicates.some((p) => p.value.startsWith(PATH_STANDIN)));
  if (r.path && (r.path === r.shape.path || standIn) && shapeTerm) {
    const pathNode = objects(shapesStore, shapeTerm, `${SH}path`)[0];
    path = pathNode ? pathFromShapes(shapesStore, pathNode) : pathFromSteps(r.path);
  } else if (r.path && r.path.length > 0) {
    path = pathFromSteps(r.path);
  }
  const value = r.value?.term;
  // The engine's built-in texts ("Less than 1 values") are too vague for users: take the
  // engine's message only when it comes from the shapes (sh:message of the shape or of a SPARQL constraint).
  const own = shapeTerm ? objects(shapesStore, shapeTerm, `${SH}message`).length > 0 : false;
  const fromShapes = own || r.constraintComponent.value === `${SH}SPARQLConstraintComponent`;
  const messages = fromShapes ? r.message : [];
  const msg = messages.find((m) => m.language === 'en') ?? messages.find((m) => !m.language) ?? messages[0];
  const constraint = r.constraintComponent.value;
  const message = msg?.value || defaultMessage(r, shapesStore, path?.readable, value);
  const result: ValidationResult = {
    focusNode: readableTerm(focus),
    message,
    severity: severityName(r.severity),
    constraint: curie(constraint),
    terms: {
      focusNode: ntTerm(focus),
      severity: ntTerm(r.severity),
      constraint: ntTerm(r.constraintComponent),
    },
  };
  if (path) { result.path = path.readable; result.terms.path = path.turtle; }
  if (value) { result.value = readableTerm(value); result.terms.value = ntTerm(value); }
  if (shapeTerm) { result.sourceShape = readableTerm(shapeTerm); result.terms.sourceShape = ntTerm(shapeTerm); }
  if (r.source.length > 0) result.terms.sourceConstraint = ntTerm(r.source[0]);
  return result;
}

function param(store: Store, shape: Term | undefined, p: string): Term | undefined {
  return shape ? objects(store, shape, SH + p)[0] : undefined;
}

function argTerm(r: EngineResult, name: string): Term | undefined {
  const a = r.args[name];
  return a && typeof a === 'object' && 'termType' in (a as object) ? (a as Term) : undefined;
}

/** A specific message for results whose shape has no sh:message: what value, what was expected. */
function defaultMessage(r: EngineResult, store: Store, path: string | undefined, value: Term | undefined): string {
  const shape = r.shape.ptr.term;
  const comp = r.constraintComponent.value.slice(SH.length);
  const where = path ? ` of ${path}` : '';
  const v = value ? readableForMessage(value) : 'the value';
  const p = (name: string) => param(store, shape, name);
  const pv = (name: string) => { const t = p(name); return t ? readableForMessage(t) : '?'; };
  switch (comp) {
    case 'MinCountConstraintComponent': {
      const n = Number(p('minCount')?.value ?? 1);
      return `${path ?? 'the property'} is required: expected at least ${n} value${n === 1 ? '' : 's'}`;
    }
    case 'MaxCountConstraintComponent': {
      const n = Number(p('maxCount')?.value ?? 0);
      return `${path ?? 'the property'} has too many values: expected at most ${n}`;
    }
    case 'DatatypeConstraintComponent': {
      const dt = p('datatype');
      const want = dt ? curie(dt.value) : '?';
      if (value?.termType === 'Literal') {
        const has = curie(value.datatype.value);
        return has === want ? `value ${v}${where} is not a valid ${want} (ill-formed lexical form)` : `value ${v}${where} has datatype ${has}, expected ${want}`;
      }
      return `value ${v}${where} is not a literal, expected a ${want}`;
    }
    case 'ClassConstraintComponent': return `value ${v}${where} is not a ${pv('class')} (no rdf:type ${pv('class')} or subclass of it)`;
    case 'NodeKindConstraintComponent': return `value ${v}${where} is not of node kind ${pv('nodeKind')}`;
    case 'PatternConstraintComponent': {
      const flags = p('flags')?.value;
      return `value ${v}${where} does not match the pattern /${p('pattern')?.value ?? '?'}/${flags ?? ''}`;
    }
    case 'MinLengthConstraintComponent': return `value ${v}${where} is shorter than ${p('minLength')?.value ?? '?'} characters`;
    case 'MaxLengthConstraintComponent': return `value ${v}${where} is longer than ${p('maxLength')?.value ?? '?'} characters`;
    case 'MinInclusiveConstraintComponent': return `value ${v}${where} is below the minimum ${p('minInclusive')?.value ?? '?'} (inclusive)`;
    case 'MinExclusiveConstraintComponent': return `value ${v}${where} must be greater than ${p('minExclusive')?.value ?? '?'}`;
    case 'MaxInclusiveConstraintComponent': return `value ${v}${where} is above the maximum ${p('maxInclusive')?.value ?? '?'} (inclusive)`;
    case 'MaxExclusiveConstraintComponent': return `value ${v}${where} must be less than ${p('maxExclusive')?.value ?? '?'}`;
    case 'InConstraintComponent': {
      const list = p('in');
      const items = list ? rdfList(store, list) ?? [] : [];
      return `value ${v}${where} is not one of the allowed values: ${items.map(readableForMessage).join(', ')}`;
    }
    case 'HasValueConstraintComponent': return `${path ?? 'the node'} must have the value ${pv('hasValue')}`;
    case 'LanguageInConstraintComponent': {
      const list = p('languageIn');
      const items = list ? rdfList(store, list) ?? [] : [];
      return `value ${v}${where} has a language tag outside ${items.map((i) => i.value).join(', ')}`;
    }
    case 'UniqueLangConstraintComponent': return `${path ?? 'the property'} has more than one value with language tag "${String(r.args.lang ?? '?')}"`;
    case 'EqualsConstraintComponent': return `value ${v}${where} differs from the values of ${pv('equals')} (they must be equal)`;
    case 'DisjointConstraintComponent': return `value ${v}${where} is also a value of ${pv('disjoint')} (they must be disjoint)`;
    case 'LessThanConstraintComponent': return `value ${v}${where} is not less than the value of ${pv('lessThan')}`;
    case 'LessThanOrEqualsConstraintComponent': return `value ${v}${where} is greater than the value of ${pv('lessThanOrEquals')}`;
    case 'ClosedConstraintComponent': return `property ${path ?? '?'} is not allowed here (closed shape), value ${v}`;
    case 'NodeConstraintComponent': {
      const node = argTerm(r, 'node') ?? p('node');
      return `value ${v}${where} does not conform to shape ${node ? readableForMessage(node) : '?'}`;
    }
    case 'PropertyConstraintComponent': return `value ${v}${where} does not conform to a property shape`;
    case 'NotConstraintComponent': return `value ${v}${where} conforms to shape ${pv('not')}, which it must not`;
    case 'AndConstraintComponent': return `value ${v}${where} does not conform to all shapes of sh:and`;
    case 'OrConstraintComponent': return `value ${v}${where} does not conform to any shape of sh:or`;
    case 'XoneConstraintComponent': return `value ${v}${where} does not conform to exactly one shape of sh:xone`;
    case 'QualifiedMinCountConstraintComponent': return `${path ?? 'the property'} needs at least ${p('qualifiedMinCount')?.value ?? '?'} values conforming to ${pv('qualifiedValueShape')}`;
    case 'QualifiedMaxCountConstraintComponent': return `${path ?? 'the property'} allows at most ${p('qualifiedMaxCount')?.value ?? '?'} values conforming to ${pv('qualifiedValueShape')}`;
    case 'SPARQLConstraintComponent': return `value ${v}${where} violates a SPARQL constraint of shape ${shape ? readableForMessage(shape) : '?'}`;
    default: return `value ${v}${where} violates ${curie(r.constraintComponent.value)}`;
  }
}

// ---------------------------------------------------------------------------------------
// The report as an RDF graph
// ---------------------------------------------------------------------------------------

/**
 * The report as a SHACL validation report graph in Turtle:
 * `[] a sh:ValidationReport ; sh:conforms … ; sh:result [ a sh:ValidationResult ; sh:focusNode … ; sh:resultPath … ;
 *  sh:value … ; sh:resultSeverity … ; sh:sourceShape … ; sh:sourceConstraintComponent … ; sh:resultMessage … ]`.
 */
export function reportToTurtle(report: ValidationReport): string {
  const lines: string[] = [
    `@prefix sh: <${SH}> .`,
    `@prefix xsd: <${NS.xsd}> .`,
    `@prefix rdf: <${NS.rdf}> .`,
    '',
    '[] a sh:ValidationReport ;',
    `  sh:conforms "${report.conforms}"^^xsd:boolean${report.results.length ? ' ;' : ' .'}`,
  ];
  report.results.forEach((r, i) => {
    const t = r.terms;
    const props: string[] = [
      'a sh:ValidationResult',
      `sh:focusNode ${bnodeSafe(t.focusNode)}`,
      `sh:resultSeverity ${t.severity}`,
      `sh:sourceConstraintComponent ${t.constraint}`,
      `sh:resultMessage "${escapeLiteral(r.message)}"`,
    ];
    if (t.path) props.push(`sh:resultPath ${t.path}`);
    if (t.value) props.push(`sh:value ${bnodeSafe(t.value)}`);
    if (t.sourceShape) props.push(`sh:sourceShape ${bnodeSafe(t.sourceShape)}`);
    if (t.sourceConstraint) props.push(`sh:sourceConstraint ${bnodeSafe(t.sourceConstraint)}`);
    lines.push(`${i === 0 ? '  sh:result ' : '    '}[\n      ${props.join(' ;\n      ')}\n    ]${i === report.results.length - 1 ? ' .' : ' ,'}`);
  });
  return lines.join('\n') + '\n';
}

/** Blank node labels from different sources may contain characters Turtle labels cannot; normalise them. */
function bnodeSafe(term: string): string {
  if (!term.startsWith('_:')) return term;
  return `_:${term.slice(2).replace(/[^A-Za-z0-9_-]/g, (c) => `x${c.charCodeAt(0).toString(16)}`)}`;
}
