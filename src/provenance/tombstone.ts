/**
 * What a withdrawn version still shows (410 Gone): its citation (authors, year, title, version,
 * publisher, DOI or URL) and why and when it was withdrawn.
 */
import type { ReadContext } from '../model/read-context.js';
import { formatBibliography, toBibtex, toRis, toCslJson, datasetCitation, type CitationRecord, type CitationAuthor } from '../publish/citation/index.js';
import { sortedGraph, withdrawalOf } from './versions.js';
import { datasetDois } from '../publish/dois.js';

export interface Tombstone {
  id: string;
  version: number;
  iri: string;
  title: string;
  authors: string[];
  year?: string;
  issued?: string;
  publisher: string;
  doi?: string;
  url: string;
  withdrawn: { at?: string; reason?: string; by?: string };
  record: CitationRecord;
  /** The formatted reference (APA), plain text. */
  citation: string;
  /** Versions that are still available. */
  available: number[];
}

const authorName = (a: CitationAuthor) => a.literal ?? [a.family, a.given].filter(Boolean).join(', ');

/** Everything the tombstone of a withdrawn version shows. */
export async function tombstoneOf(ctx: ReadContext, publisher: string, id: string, n: number): Promise<Tombstone> {
  const V = ctx.iris.version(id, n);
  const qs = await sortedGraph(ctx.store, V);
  const withdrawn = await withdrawalOf(ctx, ctx.iris.concept(id), V);
  // a withdrawn version's DOI stays registered (hidden, not findable) and still resolves to this tombstone
  const doi = (await datasetDois(ctx.store, ctx.iris.concept(id))).versions[n];
  const record = datasetCitation(qs, V, { publisher, doi, withdrawn: { ...(withdrawn.at ? { date: withdrawn.at.slice(0, 10) } : {}), ...(withdrawn.reason ? { reason: withdrawn.reason } : {}) } });
  let citation: string;
  try {
    citation = formatBibliography([record], { style: 'apa', format: 'text' }).trim();
  } catch {
    citation = `${record.authors.map(authorName).join('; ')} (${record.issued?.slice(0, 4) ?? 'n.d.'}). ${record.title} (Version ${record.version ?? n}) [Data set]. ${publisher}. ${record.doi ? `https://doi.org/${record.doi}` : record.url} [Withdrawn${withdrawn.reason ? `: ${withdrawn.reason}` : ''}]`;
  }
  const e = ctx.catalog.entries.get(id);
  return {
    id, version: n, iri: V, title: record.title, authors: record.authors.map(authorName), year: record.issued?.slice(0, 4), issued: record.issued,
    publisher, doi: record.doi, url: V, withdrawn, record, citation,
    available: e ? e.versions.filter((v) => !e.withdrawn.has(v)) : [],
  };
}

/** The tombstone in a citation format (BibTeX, RIS, CSL-JSON), or undefined for another media type. */
export function tombstoneCitation(t: Tombstone, mediaType: string): string | undefined {
  if (mediaType === 'application/x-bibtex') return toBibtex([t.record]);
  if (mediaType === 'application/x-research-info-systems') return toRis([t.record]);
  if (mediaType === 'application/vnd.citationstyles.csl+json') return JSON.stringify(toCslJson([t.record]), null, 2);
  if (mediaType === 'text/x-bibliography') return `${t.citation}\n`;
  return undefined;
}
