/**
 * CSL-JSON and formatted references (citation-js + citeproc-js with bundled official CSL styles
 * and locales, see data/NOTICE.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { citationKeys } from './keys.js';
import { splitParticle } from './names.js';
import { CitationError, checkRecords, citationNotes, citedDate, parseIsoDate, type CitationAuthor, type CitationRecord } from './record.js';
import { escapeMarkup } from '../../util/markup-escape.js';

/** Style name -> bundled CSL file (official CSL repository styles). */
const STYLE_FILES = {
  apa: 'apa.csl',
  vancouver: 'vancouver.csl',
  harvard: 'harvard-cite-them-right.csl',
  chicago: 'chicago-author-date.csl',
  ieee: 'ieee.csl',
  nature: 'nature.csl',
} as const;

export type CitationStyle = keyof typeof STYLE_FILES;
export const SUPPORTED_STYLES = Object.keys(STYLE_FILES) as CitationStyle[];

/** Other names people (and DOI content negotiation) use for the same styles. */
const STYLE_ALIASES: Record<string, CitationStyle> = {
  'apa-7': 'apa', apa7: 'apa', 'american-psychological-association': 'apa',
  harvard1: 'harvard', 'harvard-cite-them-right': 'harvard', 'cite-them-right': 'harvard',
  'chicago-author-date': 'chicago',
  'nature-publishing-group': 'nature',
  'ieee-transactions': 'ieee',
};

export const SUPPORTED_LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'it-IT', 'nl-NL', 'ja-JP', 'zh-CN'] as const;
export type CitationLocale = (typeof SUPPORTED_LOCALES)[number];

/** The bundled data folder, also when running the compiled code from dist/. */
function dataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'data'), join(here.replace(/([/\\])dist([/\\])src([/\\])/, '$1src$3'), 'data')];
  const found = candidates.find((d) => existsSync(join(d, 'styles')));
  if (!found) throw new Error(`citation data folder not found (looked in ${candidates.join(', ')})`);
  return found;
}

export function resolveStyle(style: string | undefined): CitationStyle {
  const s = (style ?? 'apa').trim().toLowerCase();
  if ((SUPPORTED_STYLES as string[]).includes(s)) return s as CitationStyle;
  const alias = STYLE_ALIASES[s];
  if (alias) return alias;
  throw new CitationError(`style: "${style}" is not supported; use one of ${SUPPORTED_STYLES.join(', ')}`, 'style');
}

export function resolveLocale(locale: string | undefined): CitationLocale {
  const raw = (locale ?? 'en-US').trim().replace(/_/g, '-');
  const exact = SUPPORTED_LOCALES.find((l) => l.toLowerCase() === raw.toLowerCase());
  if (exact) return exact;
  const lang = raw.split('-')[0]!.toLowerCase();
  const byLanguage = SUPPORTED_LOCALES.find((l) => l.split('-')[0] === lang);
  if (byLanguage) return byLanguage;
  throw new CitationError(`locale: "${locale}" is not supported; use one of ${SUPPORTED_LOCALES.join(', ')}`, 'locale');
}

interface CslRegistry {
  styles: { add(name: string, xml: string): void; has(name: string): boolean };
  locales: { add(name: string, xml: string): void; has(name: string): boolean };
}

/** The part of @citation-js/core used here (the package ships no type declarations). */
interface CitationJs {
  Cite: new (data: unknown) => { format(format: 'bibliography', options: Record<string, unknown>): unknown };
  plugins: { config: { get(name: '@csl'): CslRegistry } };
}

const require = createRequire(import.meta.url);
const { Cite, plugins } = require('@citation-js/core') as CitationJs;
require('@citation-js/plugin-csl');

const registered = new Set<string>();

function register(style: CitationStyle, locale: CitationLocale): string {
  const config = plugins.config.get('@csl');
  const name = `syndb-${style}`;
  if (!registered.has(name)) {
    config.styles.add(name, readFileSync(join(dataDir(), 'styles', STYLE_FILES[style]), 'utf8'));
    registered.add(name);
  }
  const locKey = `locale:${locale}`;
  if (!registered.has(locKey)) {
    config.locales.add(locale, readFileSync(join(dataDir(), 'locales', `locales-${locale}.xml`), 'utf8'));
    registered.add(locKey);
  }
  return name;
}

/** The CSL-JSON name object (particles split off as CSL asks). */
function cslName(a: CitationAuthor): Record<string, string> {
  if (a.literal || !a.family) return { literal: a.literal ?? a.given ?? '' };
  const [particle, family] = splitParticle(a.family);
  const n: Record<string, string> = { family };
  if (a.given) n.given = a.given;
  if (particle) n['non-dropping-particle'] = particle;
  if (a.suffix) n.suffix = a.suffix;
  return n;
}

function cslDate(iso: string, field: string): { 'date-parts': number[][] } {
  return { 'date-parts': [parseIsoDate(iso, field)] };
}

const CSL_TYPES = { dataset: 'dataset', article: 'article-journal', collection: 'collection' } as const;

export type CslItem = Record<string, unknown> & { id: string; type: string };

function cslItem(r: CitationRecord, key: string): CslItem {
  const item: CslItem = { id: key, type: CSL_TYPES[r.kind], title: r.title };
  if (r.authors.length) item.author = r.authors.map(cslName);
  const cited = citedDate(r);
  if (cited) item.issued = cslDate(cited, 'issued');
  if (r.kind === 'article') {
    if (r.containerTitle) item['container-title'] = r.containerTitle;
  } else {
    if (r.version) item.version = r.version;
    item.publisher = r.publisher;
    if (r.kind === 'collection') item.genre = 'Dataset collection';
  }
  if (r.doi) item.DOI = r.doi;
  item.URL = r.url;
  if (r.accessed) item.accessed = cslDate(r.accessed, 'accessed');
  if (r.abstract) item.abstract = r.abstract;
  if (r.keywords?.length) item.keyword = r.keywords.join(', ');
  if (r.language) item.language = r.language;
  if (r.withdrawn) {
    item.status = 'withdrawn';
    const d = r.withdrawn.date ? ` on ${r.withdrawn.date.slice(0, 10)}` : '';
    item.note = `Withdrawn${d}${r.withdrawn.reason ? `: ${r.withdrawn.reason}` : ''}`;
  }
  const notes = citationNotes(r);
  if (notes.length) item.note = [...notes, ...(item.note ? [item.note as string] : [])].join('. ');
  return item;
}

/** CSL-JSON items (an array, as the CSL data schema describes), ids = citation keys. */
export function toCslJson(records: readonly CitationRecord[]): CslItem[] {
  const checked = checkRecords(records);
  const keys = citationKeys(checked);
  return checked.map((r, i) => cslItem(r, keys[i]!));
}

export interface BibliographyOptions {
  /** One of SUPPORTED_STYLES (or an alias such as harvard1, chicago-author-date); default apa. */
  style?: string;
  /** One of SUPPORTED_LOCALES (or a language such as `de`); default en-US. */
  locale?: string;
  /** Default text. */
  format?: 'text' | 'html';
}

/**
 * Formatted references in the style's order, one per line (text) or a `csl-bib-body` div (html).
 * A withdrawn version gets "[Withdrawn …]" after its reference whatever the style.
 */
export function formatBibliography(records: readonly CitationRecord[], options: BibliographyOptions = {}): string {
  const style = resolveStyle(options.style);
  const locale = resolveLocale(options.locale);
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'html') {
    throw new CitationError(`format: "${String(format)}" is not supported; use text or html`, 'format');
  }
  const checked = checkRecords(records);
  if (checked.length === 0) return '';
  // the output is a function of the records and the options alone; citeproc takes ~5 ms a call,
  // most of a landing page's main-thread time, so pages shown again reuse what it wrote
  const key = JSON.stringify([style, locale, format, checked]);
  const hit = formatted.get(key);
  if (hit !== undefined) {
    formatted.delete(key);
    formatted.set(key, hit);
    return hit;
  }
  const text = runCiteproc(checked, style, locale, format);
  formatted.set(key, text);
  if (formatted.size > FORMATTED_MAX) formatted.delete(formatted.keys().next().value!);
  return text;
}

/** Bibliographies formatted lately (least recently used first), at most FORMATTED_MAX. */
const formatted = new Map<string, string>();
const FORMATTED_MAX = 2000;

function runCiteproc(checked: CitationRecord[], style: CitationStyle, locale: CitationLocale, format: 'text' | 'html'): string {
  // DOI when there is one, else the landing page: styles print URL in preference to DOI.
  // Titles are kept as written: styles that title-case (Chicago, IEEE) would otherwise turn
  // "µm" into "Μm" or "mGluR5" into "MGluR5" (citeproc-js nocase span; citeproc escapes the text itself).
  const items = toCslJson(checked).map((it) => ({
    ...it,
    title: `<span class="nocase">${String(it.title)}</span>`,
    ...(it.DOI ? { URL: `https://doi.org/${String(it.DOI)}` } : {}),
  }));
  const byId = new Map(items.map((it, i) => [it.id, checked[i]!]));
  const template = register(style, locale);
  const entries = new Cite(items).format('bibliography', {
    template,
    lang: locale,
    format,
    asEntryArray: true,
  }) as unknown as Array<[string, string]>;
  const out = entries.map(([id, text]) => {
    const r = byId.get(id);
    let t = text.trim();
    if (r?.withdrawn) {
      const d = r.withdrawn.date ? ` ${r.withdrawn.date.slice(0, 10)}` : '';
      const note = `[Withdrawn${d}${r.withdrawn.reason ? `: ${r.withdrawn.reason}` : ''}]`;
      t = format === 'html' ? t.replace(/<\/div>$/, ` ${escapeMarkup(note)}</div>`) : `${t} ${note}`;
    }
    return t;
  });
  if (format === 'html') return `<div class="csl-bib-body">\n${out.map((e) => `  ${e}`).join('\n')}\n</div>\n`;
  return out.join('\n') + '\n';
}
