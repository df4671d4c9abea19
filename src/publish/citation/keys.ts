/** Citation keys (BibTeX/BibLaTeX/RIS): family name + year + title word, made unique within one bibliography. */
import { asciify, splitParticle } from './names.js';
import { checkRecords, citedDate, parseIsoDate, type CitationRecord } from './record.js';

const STOPWORDS = new Set(['a', 'an', 'the', 'of', 'on', 'in', 'for', 'and', 'with', 'to', 'from', 'by', 'at', 'as', 'or', 'is', 'are', 'der', 'die', 'das', 'le', 'la', 'les', 'el']);

function keyPart(s: string, maxLength: number): string {
  return asciify(s).replace(/[^A-Za-z0-9]+/g, '').slice(0, maxLength);
}

function capitalise(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** The key a record gets on its own (before making keys unique within a file). */
export function baseKey(record: CitationRecord): string {
  if (record.key) {
    const k = asciify(record.key).replace(/[^A-Za-z0-9_:.-]+/g, '-').replace(/^-+|-+$/g, '');
    if (k) return /^[A-Za-z]/.test(k) ? k : `k${k}`;
  }
  const first = record.authors[0];
  let who = '';
  if (first?.literal) {
    who = first.literal.split(/\s+/).slice(0, 2).map((w) => capitalise(keyPart(w, 20))).join('');
  } else if (first?.family) {
    const [particle, core] = splitParticle(first.family);
    who = keyPart(core, 24) || keyPart(first.family, 24);
    if (particle && who) who = keyPart(particle, 10) + who;
  } else if (first?.given) {
    who = keyPart(first.given, 24);
  }
  const word = record.title
    .split(/[\s\-–—:;,./()]+/)
    .map((w) => keyPart(w, 20))
    .find((w) => w.length > 1 && !STOPWORDS.has(w.toLowerCase())) ?? '';
  if (!who) who = capitalise(word.toLowerCase()) || 'Item';
  const cited = citedDate(record);
  const year = cited ? parseIsoDate(cited, 'issued')[0] : undefined;
  let key = `${who}${year ?? 'nd'}${capitalise(word.toLowerCase())}`;
  if (!/^[A-Za-z]/.test(key)) key = `k${key}`;
  // the dataset id: keys unique across everything the service cites, not only within one file
  const d = record.disambiguator && asciify(record.disambiguator).replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  if (d) key += `_${d}`;
  if (record.kind !== 'article' && record.version) {
    const v = asciify(record.version).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    if (v) key += `_v${v}`;
  }
  return key;
}

/**
 * Citation keys for the records, in order: ASCII only (`[A-Za-z0-9_:.-]`), unique within the
 * list (a repeated key gets b, c, … in input order), and the same for the same input on every call.
 */
export function citationKeys(records: readonly CitationRecord[]): string[] {
  const checked = checkRecords(records);
  const used = new Set<string>();
  return checked.map((r) => {
    const base = baseKey(r);
    let key = base;
    for (let n = 1; used.has(key.toLowerCase()); n++) key = base + suffix(n);
    used.add(key.toLowerCase());
    return key;
  });
}

/** 1 -> b, 2 -> c, …, 25 -> z, 26 -> ba, … (bibliographic year-letter convention). */
function suffix(n: number): string {
  let s = '';
  let x = n;
  do {
    s = String.fromCharCode(97 + (x % 26)) + s;
    x = Math.floor(x / 26);
  } while (x > 0);
  return s;
}
