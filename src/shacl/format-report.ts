/**
 * Validation reports for people (CLI text) and for HTTP clients (RFC 9457 problem+json, 422).
 */
import { compactIri } from '../model/namespaces.js';
import type { Problem } from '../model/problems.js';
import type { Severity, ValidationReport, ValidationResult } from './results.js';

export interface FormatOptions {
  /** Shorten IRIs under this base to `<…/rest>`-free relative forms (e.g. the SYNDB_BASE_IRI). */
  baseIri?: string;
  /** Name of what was validated, for the heading (a file name, a dataset id). */
  source?: string;
  /** At most this many lines per kind; the rest is counted ("… and 12 more"). Default: all. */
  maxPerKind?: number;
  /** ANSI colours (for a TTY). */
  color?: boolean;
}

const SEVERITY_ORDER: Severity[] = ['Violation', 'Warning', 'Info'];
const PLURAL: Record<Severity, string> = { Violation: 'violations', Warning: 'warnings', Info: 'notes' };
const SINGULAR: Record<Severity, string> = { Violation: 'violation', Warning: 'warning', Info: 'note' };

/** A compact, readable form of a node: CURIE, base-relative IRI, `<iri>`, or `_:label`. */
export function compactNode(node: string, baseIri?: string): string {
  if (node.startsWith('_:')) return node;
  if (baseIri) {
    const b = baseIri.replace(/\/$/, '');
    if (node === b) return '/';
    if (node.startsWith(`${b}/`)) return node.slice(b.length);
  }
  const c = compactIri(node);
  return c === node ? `<${node}>` : c;
}

function compactValue(r: ValidationResult, baseIri?: string): string | undefined {
  if (r.value === undefined) return undefined;
  const t = r.terms.value ?? '';
  if (t.startsWith('"')) return JSON.stringify(r.value);
  return compactNode(r.value, baseIri);
}

/** The short name of a constraint component: `sh:MinCountConstraintComponent` -> `minCount`. */
export function kindName(constraint: string): string {
  const m = /^sh:(.+)ConstraintComponent$/.exec(constraint);
  if (!m) return constraint;
  return m[1][0].toLowerCase() + m[1].slice(1);
}

function countsLine(report: ValidationReport): string {
  const parts: string[] = [];
  for (const s of SEVERITY_ORDER) {
    const n = report.results.filter((r) => r.severity === s).length;
    if (n) parts.push(`${n} ${n === 1 ? SINGULAR[s] : PLURAL[s]}`);
  }
  return parts.join(', ');
}

/**
 * Text for the CLI: a heading with the counts, then per severity and kind of constraint a
 * heading with its count and one line per result: focus node, path, value, message.
 */
export function formatReportText(report: ValidationReport, options: FormatOptions = {}): string {
  const { baseIri, source, maxPerKind, color } = options;
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const what = source ? `${source}: ` : '';
  if (report.results.length === 0) return `${what}${paint('32', 'valid')} (conforms to all shapes)\n`;
  const out: string[] = [`${what}${paint(report.conforms ? '33' : '31', report.conforms ? 'valid, with remarks' : 'not valid')}: ${countsLine(report)}`];
  for (const severity of SEVERITY_ORDER) {
    const ofSeverity = report.results.filter((r) => r.severity === severity);
    if (!ofSeverity.length) continue;
    const byKind = new Map<string, ValidationResult[]>();
    for (const r of ofSeverity) {
      const k = kindName(r.constraint);
      const list = byKind.get(k);
      if (list) list.push(r); else byKind.set(k, [r]);
    }
    const kinds = [...byKind.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    for (const [kind, list] of kinds) {
      out.push('');
      out.push(paint(severity === 'Violation' ? '31' : severity === 'Warning' ? '33' : '36', `${severity} — ${kind} (${list.length})`));
      const sorted = [...list].sort((a, b) => a.focusNode.localeCompare(b.focusNode) || (a.path ?? '').localeCompare(b.path ?? ''));
      const shown = maxPerKind !== undefined ? sorted.slice(0, maxPerKind) : sorted;
      for (const r of shown) {
        const parts = [compactNode(r.focusNode, baseIri)];
        if (r.path) parts.push(r.path);
        const v = compactValue(r, baseIri);
        if (v !== undefined) parts.push(`= ${v}`);
        out.push(`  ${parts.join('  ')}: ${r.message}`);
      }
      if (shown.length < sorted.length) out.push(`  … and ${sorted.length - shown.length} more`);
    }
  }
  return out.join('\n') + '\n';
}

/** The report's results as the problems a 422 reply lists (see src/model/problems.ts and INTERFACE.md). */
export function reportToProblems(report: ValidationReport): Problem[] {
  return report.results.map((r) => {
    const p: Problem = {
      path: r.path ?? '',
      message: r.message,
      focusNode: r.focusNode,
      severity: r.severity,
      constraint: r.constraint,
    };
    if (r.value !== undefined) p.value = r.value;
    return p;
  });
}

export interface ProblemJson {
  type: string;
  title: string;
  status: 422;
  detail: string;
  instance?: string;
  conforms: boolean;
  errors: Array<{ path: string; value?: string; message: string; focusNode: string; severity: Severity; constraint: string; sourceShape?: string }>;
}

/** The whole application/problem+json body (RFC 9457) for a failed validation. */
export function reportToProblemJson(report: ValidationReport, options: { title?: string; instance?: string } = {}): ProblemJson {
  const body: ProblemJson = {
    type: 'https://w3id.org/syndb/problems/validation-failed',
    title: options.title ?? 'The data do not conform to the SynDB shapes',
    status: 422,
    detail: `${countsLine(report) || 'no problems'}; nothing was stored`,
    conforms: report.conforms,
    errors: report.results.map((r) => ({
      path: r.path ?? '',
      ...(r.value !== undefined ? { value: r.value } : {}),
      message: r.message,
      focusNode: r.focusNode,
      severity: r.severity,
      constraint: r.constraint,
      ...(r.sourceShape ? { sourceShape: r.sourceShape } : {}),
    })),
  };
  if (options.instance) body.instance = options.instance;
  return body;
}
