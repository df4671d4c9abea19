/**
 * RIS serialiser. Written here rather than taken from @citation-js/plugin-ris because, measured
 * on 0.8.2, it wraps long values onto continuation lines mid-word (`…cortex lay\ner 4…`), which
 * RIS readers take as a broken tag line. Here every tag is one line, `XX  - value`, `ER  - ` last.
 */
import { citationKeys } from './keys.js';
import { checkRecords, citationNotes, citedDate, parseIsoDate, type CitationAuthor, type CitationRecord } from './record.js';

/** One line: newlines and other control characters become spaces. */
function oneLine(v: string): string {
  return v.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function risName(a: CitationAuthor): string {
  if (a.literal || !a.family) return oneLine(a.literal ?? a.given ?? '');
  const parts = [a.family];
  if (a.given) parts.push(a.given);
  if (a.suffix) {
    if (!a.given) parts.push('');
    parts.push(a.suffix);
  }
  return oneLine(parts.join(', '));
}

/** RIS dates are YYYY/MM/DD/ with empty parts allowed. */
function risDate(iso: string, field: string): string {
  const [y, m, d] = parseIsoDate(iso, field);
  const pad = (n: number | undefined) => (n === undefined ? '' : String(n).padStart(2, '0'));
  return `${String(y).padStart(4, '0')}/${pad(m)}/${pad(d)}/`;
}

const TYPES = { dataset: 'DATA', collection: 'DATA', article: 'JOUR' } as const;

function entry(r: CitationRecord, key: string): string[] {
  const lines: string[] = [];
  const tag = (t: string, v: string | undefined) => {
    if (v === undefined) return;
    const value = oneLine(v);
    if (value) lines.push(`${t}  - ${value}`);
  };
  tag('TY', TYPES[r.kind]);
  tag('ID', key);
  for (const a of r.authors) tag('AU', risName(a));
  tag('TI', r.title);
  if (r.kind === 'article') tag('JO', r.containerTitle);
  const cited = citedDate(r);
  if (cited) {
    tag('PY', String(parseIsoDate(cited, 'issued')[0]));
    tag('DA', risDate(cited, 'issued'));
  }
  if (r.kind !== 'article') {
    tag('ET', r.version);
    tag('PB', r.publisher);
    tag('M3', r.kind === 'collection' ? 'Dataset collection' : 'Dataset');
  }
  tag('DO', r.doi);
  tag('UR', r.url);
  if (r.accessed) tag('Y2', risDate(r.accessed, 'accessed'));
  tag('LA', r.language);
  for (const k of r.keywords ?? []) tag('KW', k);
  tag('AB', r.abstract);
  for (const n of citationNotes(r)) tag('N1', n);
  if (r.withdrawn) {
    const d = r.withdrawn.date ? ` on ${r.withdrawn.date.slice(0, 10)}` : '';
    tag('N1', `Withdrawn${d}${r.withdrawn.reason ? `: ${r.withdrawn.reason}` : ''}`);
  }
  lines.push('ER  - ');
  return lines;
}

/** RIS for any number of records (CRLF line ends, as the RIS specification asks; a blank line between records). */
export function toRis(records: readonly CitationRecord[]): string {
  const checked = checkRecords(records);
  const keys = citationKeys(checked);
  return checked.map((r, i) => entry(r, keys[i]!).join('\r\n') + '\r\n').join('\r\n');
}
