/**
 * The input of every citation serialiser: one citable thing (a dataset version, a related
 * publication, a collection). Everything comes from the graph; nothing from the clock
 * (`accessed` is supplied by the caller when a style needs it).
 */

export interface CitationAuthor {
  family?: string;
  given?: string;
  /** An organisation, or a single-name consortium: printed as is, never split or inverted. */
  literal?: string;
  /** "Jr.", "III". */
  suffix?: string;
  orcid?: string;
}

export type CitationKind = 'dataset' | 'article' | 'collection';

export interface CitationRecord {
  key?: string;
  kind: CitationKind;
  title: string;
  /** In their stated order. */
  authors: CitationAuthor[];
  /** ISO date (YYYY, YYYY-MM or YYYY-MM-DD, a time part is ignored) of the version's publication. */
  issued?: string;
  version?: string;
  publisher: string;
  /** Bare DOI (10.x/…); a `https://doi.org/` or `doi:` prefix is accepted and removed. */
  doi?: string;
  /** Landing page. */
  url: string;
  /** ISO date supplied by the caller, never the clock. */
  accessed?: string;
  withdrawn?: { date?: string; reason?: string };
  abstract?: string;
  keywords?: string[];
  /** Journal for articles. */
  containerTitle?: string;
  /** BCP 47 tag, e.g. `en`. */
  language?: string;
  /**
   * Makes the key of this record differ from every other record's, in every file (the dataset id):
   * two datasets with the same first author, year, title word and version get different keys.
   */
  disambiguator?: string;
  /** Publications the dataset is a supplement to (DOIs), printed in a note in every format. */
  supplementTo?: string[];
  /**
   * ISO date of the first release elsewhere (before this service's version): the citation gives
   * this year, with the version's own date (`issued`) beside it.
   */
  originalRelease?: string;
}

export class CitationError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'CitationError';
  }
}

/** A parsed ISO date: [year, month?, day?]. */
export type DateParts = [number] | [number, number] | [number, number, number];

const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parse an ISO date (xsd:date, xsd:gYear, xsd:gYearMonth, xsd:dateTime); throws a CitationError naming the field. */
export function parseIsoDate(value: string, field: string): DateParts {
  const m = ISO_DATE.exec(value.trim());
  if (!m) throw new CitationError(`${field}: "${value}" is not an ISO date (expected YYYY, YYYY-MM or YYYY-MM-DD)`, field);
  const year = Number(m[1]);
  if (m[2] === undefined) return [year];
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw new CitationError(`${field}: month ${m[2]} in "${value}" is not between 01 and 12`, field);
  if (m[3] === undefined) return [year, month];
  const day = Number(m[3]);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > last) throw new CitationError(`${field}: day ${m[3]} in "${value}" does not exist in ${m[1]}-${m[2]}`, field);
  return [year, month, day];
}

export function isoDate(parts: DateParts): string {
  return parts.map((p, i) => (i === 0 ? String(p).padStart(4, '0') : String(p).padStart(2, '0'))).join('-');
}

/** Bare DOI from `10.x/…`, `doi:10.x/…` or a doi.org URL; undefined when absent; throws when malformed. */
export function normaliseDoi(value: string | undefined, field = 'doi'): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().replace(/^doi:\s*/i, '').replace(/^https?:\/\/(?:dx\.)?doi\.org\//i, '');
  if (v === '') return undefined;
  if (!/^10\.\d{4,9}\/\S+$/.test(v)) throw new CitationError(`${field}: "${value}" is not a DOI (expected 10.NNNN/suffix)`, field);
  return v;
}

const KINDS: readonly CitationKind[] = ['dataset', 'article', 'collection'];

/** Check a record and return a copy with trimmed strings and a bare DOI; every problem names the field. */
export function checkRecord(record: CitationRecord, index = 0): CitationRecord {
  const at = (f: string) => `records[${index}].${f}`;
  if (!record || typeof record !== 'object') throw new CitationError(`records[${index}]: expected a citation record object`);
  if (!KINDS.includes(record.kind)) {
    throw new CitationError(`${at('kind')}: "${String(record.kind)}" is not one of ${KINDS.join(', ')}`, at('kind'));
  }
  const title = typeof record.title === 'string' ? record.title.replace(/\s+/g, ' ').trim() : '';
  if (!title) throw new CitationError(`${at('title')}: a non-empty title is required`, at('title'));
  const publisher = typeof record.publisher === 'string' ? record.publisher.trim() : '';
  if (!publisher) throw new CitationError(`${at('publisher')}: the publisher (this service's name) is required`, at('publisher'));
  const url = typeof record.url === 'string' ? record.url.trim() : '';
  if (!/^https?:\/\/\S+$/.test(url)) throw new CitationError(`${at('url')}: "${String(record.url)}" is not an http(s) URL of the landing page`, at('url'));
  if (!Array.isArray(record.authors)) throw new CitationError(`${at('authors')}: expected an array (may be empty)`, at('authors'));
  const authors = record.authors.map((a, i) => {
    const f = at(`authors[${i}]`);
    if (!a || typeof a !== 'object') throw new CitationError(`${f}: expected {family, given} or {literal}`, f);
    const out: CitationAuthor = {};
    for (const k of ['family', 'given', 'literal', 'suffix', 'orcid'] as const) {
      const v = a[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') throw new CitationError(`${f}.${k}: expected a string, got ${typeof v}`, `${f}.${k}`);
      const t = v.replace(/\s+/g, ' ').trim();
      if (t) out[k] = t;
    }
    if (!out.family && !out.literal && !out.given) throw new CitationError(`${f}: needs a family name or a literal (organisation) name`, f);
    return out;
  });
  if (record.issued !== undefined) parseIsoDate(record.issued, at('issued'));
  if (record.accessed !== undefined) parseIsoDate(record.accessed, at('accessed'));
  if (record.withdrawn?.date !== undefined) parseIsoDate(record.withdrawn.date, at('withdrawn.date'));
  if (record.originalRelease !== undefined) parseIsoDate(record.originalRelease, at('originalRelease'));
  if (record.supplementTo !== undefined && !Array.isArray(record.supplementTo)) throw new CitationError(`${at('supplementTo')}: expected an array of DOIs`, at('supplementTo'));
  if (record.key !== undefined && (typeof record.key !== 'string' || !record.key.trim())) {
    throw new CitationError(`${at('key')}: expected a non-empty string`, at('key'));
  }
  if (record.keywords !== undefined && (!Array.isArray(record.keywords) || record.keywords.some((k) => typeof k !== 'string'))) {
    throw new CitationError(`${at('keywords')}: expected an array of strings`, at('keywords'));
  }
  const out: CitationRecord = {
    ...record,
    title,
    publisher,
    url,
    authors,
    doi: normaliseDoi(record.doi, at('doi')),
  };
  if (out.doi === undefined) delete out.doi;
  if (record.supplementTo) out.supplementTo = record.supplementTo.map((d, i) => normaliseDoi(d, at(`supplementTo[${i}]`))!).filter(Boolean);
  if (record.version !== undefined) {
    const v = String(record.version).trim();
    if (v) out.version = v; else delete out.version;
  }
  if (record.keywords) out.keywords = record.keywords.map((k) => k.trim()).filter(Boolean);
  return out;
}

export function checkRecords(records: readonly CitationRecord[]): CitationRecord[] {
  if (!Array.isArray(records)) throw new CitationError('records: expected an array of citation records');
  return records.map((r, i) => checkRecord(r, i));
}

/** The year of `issued`, if any. */
export function issuedYear(record: CitationRecord): number | undefined {
  return record.issued ? parseIsoDate(record.issued, 'issued')[0] : undefined;
}

/** The date the citation gives: the first release elsewhere when there was one, else `issued`. */
export function citedDate(record: CitationRecord): string | undefined {
  return record.originalRelease ?? record.issued;
}

/**
 * The sentences every format adds to its note: the publications the dataset supplements, and,
 * for a dataset first released elsewhere, that release and this version's own date.
 */
export function citationNotes(r: CitationRecord): string[] {
  const out: string[] = [];
  if (r.supplementTo?.length) out.push(`Supplement to ${r.supplementTo.map((d) => `https://doi.org/${d}`).join(', ')}`);
  if (r.originalRelease) {
    const first = isoDate(parseIsoDate(r.originalRelease, 'originalRelease'));
    const here = r.issued ? isoDate(parseIsoDate(r.issued, 'issued')) : undefined;
    out.push(`First released ${first}${here ? `; ${r.version ? `version ${r.version}` : 'this version'} published ${here}` : ''}`);
  }
  return out;
}
