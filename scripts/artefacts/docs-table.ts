/**
 * The field table of docs/dataset-json.md: written between the markers
 * <!-- BEGIN GENERATED FIELDS --> and <!-- END GENERATED FIELDS -->, the rest of the page is prose.
 */
import type { DatasetField } from '../../src/model/dataset-field.js';
import { NS } from '../../src/model/namespaces.js';

const curie = (iri: string) => { const e = Object.entries(NS).find(([, ns]) => iri.startsWith(ns)); return e ? `${e[0]}:${iri.slice(e[1].length)}` : iri; };

const BEGIN = '<!-- BEGIN GENERATED FIELDS (scripts/generate-artefacts.ts; edit shapes/*.ttl, then npm run generate) -->';
const END = '<!-- END GENERATED FIELDS -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(f: DatasetField): string {
  const base = f.kind === 'object' ? 'object' : f.kind === 'term' ? 'term' : f.kind === 'link' ? 'id, DOI, URL or object' : f.kind === 'dateTime' ? 'date-time' : f.kind;
  const one = f.enum ? f.enum.map((e) => `\`"${e}"\``).join(' | ') : f.shorthand ? `${base} or string` : base;
  return f.list ? `list of ${one}` : one;
}

function rows(fields: readonly DatasetField[], prefix: string): string[] {
  return fields.flatMap((f) => {
    const key = `${prefix}${f.key}${f.list && f.fields ? '[]' : ''}`;
    const stored = f.paths.map((p) => `\`${curie(p)}\``).join(', ') || '—';
    const notes = [f.required ? '**required**' : '', f.default !== undefined ? `default \`"${f.default}"\`` : ''].filter(Boolean).join(', ');
    return [`| \`${key}\` | ${cell(typeOf(f))} | ${notes} | ${cell(f.description)} | ${stored} |`, ...rows(f.fields ?? [], `${key}.`)];
  });
}

export function fieldTable(fields: readonly DatasetField[]): string {
  return ['| Field | Value | Required / default | Meaning | Stored as |', '|---|---|---|---|---|', ...rows(fields, '')].join('\n');
}

/** `doc` with the text between the markers replaced by the table; throws when the markers are missing. */
export function withFieldTable(doc: string, fields: readonly DatasetField[]): string {
  const a = doc.indexOf(BEGIN), b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/dataset-json.md lacks the markers ${BEGIN} … ${END}`);
  return `${doc.slice(0, a + BEGIN.length)}\n${fieldTable(fields)}\n${doc.slice(b)}`;
}
