/** Text normalisation for search: case, diacritics and punctuation do not matter. */

/** Lower case, diacritics removed, NFKC. */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').normalize('NFKC').toLowerCase();
}

/** The words of a text (letters and digits; "L2/3" gives "l2", "3"; "knock-out" gives "knock", "out"). */
export function words(s: string): string[] {
  return fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Does one of `ws` match the query word? Short words (three letters or fewer) must match whole; longer ones also as a prefix. */
export function wordMatches(ws: readonly string[], token: string): boolean {
  if (token.length <= 3) return ws.includes(token);
  for (const w of ws) if (w.startsWith(token)) return true;
  return false;
}

/** A normalised DOI (lower case, no resolver prefix), or undefined when the text is not a DOI. */
export function doiOf(s: string): string | undefined {
  const t = s.trim().replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:)/i, '');
  let d: string;
  try { d = decodeURIComponent(t); } catch { d = t; }
  return /^10\.\d{4,9}\/\S+$/.test(d) ? d.toLowerCase() : undefined;
}

/** An ORCID iD (0000-0002-1825-0097) from an iD or its https://orcid.org/ IRI, else undefined. */
export function orcidOf(s: string): string | undefined {
  const m = /^(?:https?:\/\/orcid\.org\/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$/i.exec(s.trim());
  return m ? m[1].toUpperCase() : undefined;
}
