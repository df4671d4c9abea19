/**
 * BibTeX (@misc, the default) and BibLaTeX (@dataset) serialisers.
 *
 * Written here rather than taken from @citation-js/plugin-bibtex because, measured on 0.8.2,
 * its output drops `version` from BibTeX, writes `month = {oct 24}` (not a BibTeX month),
 * turns `$` into `\textdollar{}` and has no way to mark an entry as a dataset in BibTeX.
 * Output is UTF-8 (biber and bibtexparser read it natively); LaTeX specials are escaped.
 */
import { citationKeys } from './keys.js';
import { splitParticle } from './names.js';
import { checkRecords, citationNotes, citedDate, isoDate, parseIsoDate, type CitationAuthor, type CitationRecord } from './record.js';

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '$\\backslash$',
  '{': '{\\textbraceleft}',
  '}': '{\\textbraceright}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '{\\textasciitilde}',
  '^': '{\\textasciicircum}',
};

/**
 * Escape text for a BibTeX field: the ten LaTeX special characters become commands that every
 * TeX engine prints as the character (braces stay balanced); other Unicode is kept as UTF-8.
 */
export function escapeLatex(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[\\{}&%$#_~^]/g, (c) => LATEX_SPECIALS[c]!);
}

/** " and " inside a name would split it; so would a comma in a literal: brace those. */
function bibtexName(a: CitationAuthor): string {
  if (a.literal || !a.family) return `{${escapeLatex(a.literal ?? a.given ?? '')}}`;
  const [particle, core] = splitParticle(a.family);
  // A family name of several capitalised words ("Garcia Marquez") must stay one last name: brace it.
  const famCore = /\s/.test(core) ? `{${escapeLatex(core)}}` : escapeLatex(core);
  const family = particle ? `${escapeLatex(particle)} ${famCore}` : famCore;
  const parts = [family];
  if (a.suffix) parts.push(escapeLatex(a.suffix));
  if (a.given) parts.push(escapeLatex(a.given));
  else if (a.suffix) parts.push('');
  return parts.join(', ');
}

function field(name: string, value: string | undefined, width: number): string | undefined {
  if (value === undefined || value === '') return undefined;
  return `  ${name.padEnd(width)} = {${value}}`;
}

/** URLs and DOIs are verbatim fields: only braces (which would unbalance the entry) are percent-encoded. */
function verbatim(v: string): string {
  return v.replace(/\{/g, '%7B').replace(/\}/g, '%7D').replace(/\s/g, '%20');
}

export interface BibtexOptions {
  /** BibLaTeX: @dataset with `date`, `urldate`, `version`; default false (BibTeX @misc). */
  biblatex?: boolean;
}

function noteFor(r: CitationRecord, biblatex: boolean): string | undefined {
  const parts: string[] = [];
  if (!biblatex && r.kind !== 'article') {
    // BibTeX has no dataset type: the note marks it (howpublished is read as the publisher by bibutils).
    parts.push(r.kind === 'collection' ? 'Dataset collection' : 'Dataset');
    if (r.version) parts.push(`Version ${r.version}`);
  }
  parts.push(...citationNotes(r));
  if (r.withdrawn) {
    const d = r.withdrawn.date ? ` on ${isoDate(parseIsoDate(r.withdrawn.date, 'withdrawn.date'))}` : '';
    parts.push(`Withdrawn${d}${r.withdrawn.reason ? `: ${r.withdrawn.reason.replace(/\s+/g, ' ').trim()}` : ''}`);
  }
  if (!biblatex && r.accessed) parts.push(`Accessed ${isoDate(parseIsoDate(r.accessed, 'accessed'))}`);
  return parts.length ? escapeLatex(parts.join('. ')) : undefined;
}

function entry(r: CitationRecord, key: string, biblatex: boolean): string {
  const fields: Array<[string, string | undefined]> = [];
  const cited = citedDate(r);
  const issued = cited ? parseIsoDate(cited, 'issued') : undefined;
  const authors = r.authors.length ? r.authors.map(bibtexName).join(' and ') : undefined;
  const title = `{${escapeLatex(r.title)}}`;
  let type: string;
  if (r.kind === 'article') {
    type = 'article';
    fields.push(['author', authors], ['title', title]);
    fields.push([biblatex ? 'journaltitle' : 'journal', r.containerTitle ? escapeLatex(r.containerTitle) : undefined]);
    if (biblatex) fields.push(['date', issued && isoDate(issued)]);
    else fields.push(['year', issued && String(issued[0])]);
  } else {
    type = biblatex ? 'dataset' : 'misc';
    fields.push(['author', authors], ['title', title]);
    if (biblatex) {
      fields.push(['date', issued && isoDate(issued)]);
      if (r.kind === 'collection') fields.push(['type', 'Collection of datasets']);
    } else {
      fields.push(['year', issued && String(issued[0])]);
    }
    fields.push(['version', r.version ? escapeLatex(r.version) : undefined]);
    // BibLaTeX's publisher is a name list: brace it so " and " inside the name does not split it.
    const pub = escapeLatex(r.publisher);
    fields.push(['publisher', biblatex && /\sand\s/i.test(pub) ? `{${pub}}` : pub]);
  }
  fields.push(['doi', r.doi ? verbatim(r.doi) : undefined]);
  fields.push(['url', verbatim(r.url)]);
  if (biblatex) fields.push(['urldate', r.accessed && isoDate(parseIsoDate(r.accessed, 'accessed'))]);
  fields.push(['note', noteFor(r, biblatex)]);
  if (biblatex && r.withdrawn) fields.push(['pubstate', 'withdrawn']);
  fields.push(['keywords', r.keywords?.length ? escapeLatex(r.keywords.map((k) => k.replace(/,/g, ' ')).join(',')) : undefined]);
  fields.push(['abstract', r.abstract ? escapeLatex(r.abstract) : undefined]);
  const present = fields.filter(([, v]) => v !== undefined && v !== '');
  const width = Math.max(...present.map(([n]) => n.length));
  const lines = present.map(([n, v]) => field(n, v, width)!);
  return `@${type}{${key},\n${lines.join(',\n')}\n}\n`;
}

/** BibTeX (default) or BibLaTeX for any number of records; keys from `citationKeys`. */
export function toBibtex(records: readonly CitationRecord[], options: BibtexOptions = {}): string {
  const checked = checkRecords(records);
  const keys = citationKeys(checked);
  return checked.map((r, i) => entry(r, keys[i]!, options.biblatex === true)).join('\n');
}
