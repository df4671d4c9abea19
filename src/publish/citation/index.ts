/** Citations (BibTeX, BibLaTeX, RIS, CSL-JSON, formatted references) for datasets, versions, publications, collections. */
export {
  CitationError,
  checkRecord,
  checkRecords,
  normaliseDoi,
  parseIsoDate,
  type CitationAuthor,
  type CitationKind,
  type CitationRecord,
} from './record.js';
export { parseName, asciify, splitParticle, looksLikeOrganisation } from './names.js';
export { citationKeys } from './keys.js';
export { toBibtex, escapeLatex, type BibtexOptions } from './bibtex.js';
export { toRis } from './ris.js';
export {
  toCslJson,
  formatBibliography,
  resolveStyle,
  resolveLocale,
  SUPPORTED_STYLES,
  SUPPORTED_LOCALES,
  type BibliographyOptions,
  type CitationLocale,
  type CitationStyle,
  type CslItem,
} from './csl.js';
export {
  CITATION_MEDIA_TYPES,
  citationFormatFromParam,
  negotiateCitation,
  renderCitation,
  type CitationFormat,
  type CitationMediaType,
  type CitationRequest,
  type RenderedCitation,
} from './media-types.js';
export { datasetCitation, type FromGraphOptions } from './from-graph.js';
