/** Person and organisation names in citations: parsing, name particles ("van der"), initials, ASCII forms. */
import type { CitationAuthor } from './record.js';

/** Lower-case name particles that belong to the family name ("van der Berg", "de la Fuente"). */
const PARTICLES = new Set([
  'van', 'von', 'der', 'den', 'de', 'del', 'della', 'dello', 'degli', 'di', 'da', 'das', 'dos', 'do', 'du',
  'la', 'le', 'les', 'lo', 'ten', 'ter', 'te', 'zu', 'zum', 'zur', 'af', 'av', 'al', 'el', 'bin', 'ibn', 'y', "d'", "l'",
]);

const SUFFIXES = new Set(['jr', 'jr.', 'sr', 'sr.', 'ii', 'iii', 'iv']);

/** Words that make a name an organisation rather than a person. */
const ORGANISATION_WORDS = /\b(consortium|project|institute|institut|university|universit[äéà]t?|universidad|laboratory|laboratories|lab|labs|center|centre|initiative|team|group|society|foundation|network|collaboration|alliance|association|council|agency|inc\.?|ltd\.?|gmbh|corporation|company|program|programme|facility|atlas|service|department)\b/i;

/** "Ph.", "J.", "J.R.", "J.-P.", "JR" (Vancouver initials), "Ph" — a given-name abbreviation. */
export function isInitials(token: string): boolean {
  return /^(?:\p{Lu}\p{Ll}?\.(?:-?\p{Lu}\p{Ll}?\.)*|\p{Lu}{1,3})$/u.test(token);
}

export function looksLikeOrganisation(name: string): boolean {
  return ORGANISATION_WORDS.test(name);
}

/**
 * Split a leading lower-case particle off a family name: "van der Berg" -> ["van der", "Berg"].
 * Returns [undefined, family] when there is none (a capitalised "Van" is part of the name).
 */
export function splitParticle(family: string): [string | undefined, string] {
  const tokens = family.split(' ');
  let i = 0;
  while (i < tokens.length - 1 && PARTICLES.has(tokens[i]!)) i++;
  if (i === 0) {
    const m = /^([dl]')(\p{L}.*)$/u.exec(family);
    if (m && m[2] && /^\p{Lu}/u.test(m[2])) return [m[1], m[2]];
    return [undefined, family];
  }
  return [tokens.slice(0, i).join(' '), tokens.slice(i).join(' ')];
}

/**
 * Parse a display name into a citation author:
 * - "Family, Given" (also "Family, Suffix, Given");
 * - "Given Family", particles going to the family ("Jan van der Berg");
 * - "Family Initials" ("Hennig Ph.", "Motta A", "Li X.-Y.");
 * - organisations ("MICrONS Consortium") and single names ("FlyWire") become `literal`.
 */
export function parseName(input: string, options: { organisation?: boolean } = {}): CitationAuthor {
  const name = input.replace(/\s+/g, ' ').trim();
  if (!name) throw new Error('parseName: empty name');
  if (options.organisation || looksLikeOrganisation(name)) return { literal: name };
  if (name.includes(',')) {
    const parts = name.split(',').map((p) => p.trim()).filter(Boolean);
    if (parts.length === 1) return { literal: parts[0] };
    if (parts.length === 3 && SUFFIXES.has(parts[1]!.toLowerCase())) {
      return { family: parts[0], given: parts[2], suffix: parts[1] };
    }
    return { family: parts[0], given: parts.slice(1).join(', ') };
  }
  const all = name.split(' ');
  if (all.length === 1) return { literal: name };
  const suffix = all.length > 2 && SUFFIXES.has(all[all.length - 1]!.toLowerCase()) ? all[all.length - 1] : undefined;
  const tokens = suffix ? all.slice(0, -1) : all;
  const withSuffix = (a: CitationAuthor): CitationAuthor => (suffix ? { ...a, suffix } : a);
  // "Family Initials": trailing tokens are all initials and the first one is not.
  let j = tokens.length;
  while (j > 1 && isInitials(tokens[j - 1]!)) j--;
  if (j < tokens.length && !isInitials(tokens[0]!)) {
    return withSuffix({ family: tokens.slice(0, j).join(' '), given: tokens.slice(j).join(' ') });
  }
  // "Given [particles] Family"
  let start = tokens.length - 1;
  for (let k = 1; k < tokens.length - 1; k++) {
    if (PARTICLES.has(tokens[k]!)) { start = k; break; }
  }
  return withSuffix({ family: tokens.slice(start).join(' '), given: tokens.slice(0, start).join(' ') });
}

const ASCII_MAP: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', đ: 'd', Đ: 'D',
  ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ı: 'i', ħ: 'h', Ħ: 'H', ŋ: 'ng', Ŋ: 'NG',
};

/** Transliterate Latin letters to ASCII (ö -> o, ß -> ss, ø -> o, ł -> l, é -> e); other scripts are dropped. */
export function asciify(s: string): string {
  return s
    .replace(/[ßẞøØłŁæÆœŒđĐðÐþÞıħĦŋŊ]/g, (c) => ASCII_MAP[c] ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '');
}
