/**
 * Content negotiation for citations, following DOI content negotiation
 * (https://citation.crosscite.org/docs.html): `Accept: text/x-bibliography; style=apa; locale=de-DE`.
 */
import { toBibtex } from './bibtex.js';
import { formatBibliography, resolveLocale, resolveStyle, toCslJson } from './csl.js';
import { CitationError, type CitationRecord } from './record.js';
import { toRis } from './ris.js';

export type CitationFormat = 'bibtex' | 'biblatex' | 'ris' | 'csl' | 'bibliography';

export interface CitationMediaType {
  format: CitationFormat;
  /** The media type a client asks for. */
  mediaType: string;
  /** The Content-Type to answer with (charset included). */
  contentType: string;
  /** File extension for downloads. */
  extension: string;
  /** Other media types accepted for the same format. */
  aliases: string[];
}

export const CITATION_MEDIA_TYPES: readonly CitationMediaType[] = [
  { format: 'bibtex', mediaType: 'application/x-bibtex', contentType: 'application/x-bibtex; charset=utf-8', extension: 'bib', aliases: ['text/x-bibtex', 'application/bibtex'] },
  // BibLaTeX has no media type of its own: application/x-bibtex with ?format=biblatex.
  { format: 'biblatex', mediaType: 'application/x-bibtex', contentType: 'application/x-bibtex; charset=utf-8', extension: 'bib', aliases: [] },
  { format: 'ris', mediaType: 'application/x-research-info-systems', contentType: 'application/x-research-info-systems; charset=utf-8', extension: 'ris', aliases: ['application/x-ris'] },
  { format: 'csl', mediaType: 'application/vnd.citationstyles.csl+json', contentType: 'application/vnd.citationstyles.csl+json; charset=utf-8', extension: 'json', aliases: ['application/citeproc+json'] },
  { format: 'bibliography', mediaType: 'text/x-bibliography', contentType: 'text/x-bibliography; charset=utf-8', extension: 'txt', aliases: [] },
];

/** `?format=` values (INTERFACE.md) and their aliases. */
const FORMAT_NAMES: Record<string, CitationFormat> = {
  bibtex: 'bibtex', bib: 'bibtex', biblatex: 'biblatex', ris: 'ris', csl: 'csl', 'csl-json': 'csl', csljson: 'csl',
  bibliography: 'bibliography', text: 'bibliography', citation: 'bibliography',
};

export interface CitationRequest {
  format: CitationFormat;
  style?: string;
  locale?: string;
  /** For bibliography: text (default) or html. */
  output?: 'text' | 'html';
}

/** Parse a `?format=` value; undefined when it is not a citation format (e.g. `ttl`). */
export function citationFormatFromParam(value: string | undefined): CitationFormat | undefined {
  return value === undefined ? undefined : FORMAT_NAMES[value.trim().toLowerCase()];
}

/**
 * Pick the citation format from an Accept header (quality values respected, first wins on ties).
 * Returns undefined when no citation media type is acceptable (the caller tries other formats).
 * `style` and `locale` media type parameters are returned as given (checked by `renderCitation`).
 */
export function negotiateCitation(accept: string | undefined): CitationRequest | undefined {
  if (!accept) return undefined;
  let best: { req: CitationRequest; q: number; i: number } | undefined;
  accept.split(',').forEach((part, i) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const media = type?.toLowerCase();
    const entry = CITATION_MEDIA_TYPES.find((m) => m.format !== 'biblatex' && (m.mediaType === media || m.aliases.includes(media ?? '')));
    if (!entry) return;
    const req: CitationRequest = { format: entry.format };
    let q = 1;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (k === 'q') q = Number(v);
      else if (k === 'style') req.style = v;
      else if (k === 'locale') req.locale = v;
    }
    if (!(q > 0)) return;
    if (!best || q > best.q) best = { req, q, i };
  });
  return best?.req;
}

export interface RenderedCitation {
  body: string;
  contentType: string;
  /** Suggested download name: `{baseName}.{extension}`. */
  filename: string;
}

/**
 * Render records in one citation format, for an HTTP response or a CLI download.
 * `baseName` names the file (ASCII-safe: anything else becomes `-`); default `citation`.
 */
export function renderCitation(records: readonly CitationRecord[], request: CitationRequest, baseName = 'citation'): RenderedCitation {
  const entry = CITATION_MEDIA_TYPES.find((m) => m.format === request.format);
  if (!entry) {
    throw new CitationError(`format: "${String(request.format)}" is not a citation format; use one of ${CITATION_MEDIA_TYPES.map((m) => m.format).join(', ')}`, 'format');
  }
  const safe = baseName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'citation';
  let body: string;
  let contentType = entry.contentType;
  let extension = entry.extension;
  switch (request.format) {
    case 'bibtex': body = toBibtex(records); break;
    case 'biblatex': body = toBibtex(records, { biblatex: true }); break;
    case 'ris': body = toRis(records); break;
    case 'csl': body = JSON.stringify(toCslJson(records), null, 2) + '\n'; break;
    case 'bibliography': {
      const output = request.output ?? 'text';
      body = formatBibliography(records, { style: resolveStyle(request.style), locale: resolveLocale(request.locale), format: output });
      if (output === 'html') { contentType = 'text/html; charset=utf-8'; extension = 'html'; }
      break;
    }
  }
  return { body, contentType, filename: `${safe}.${extension}` };
}
