/**
 * Negotiation by profile (W3C "Content Negotiation by Profile"): which description of a
 * resource is asked for, independently of its media type. Asked for, in this order, by
 * `?profile=` (a token or a URI), by `Accept-Profile: <uri>;q=…, …`, or by a `profile` parameter
 * on `application/ld+json` in Accept (RFC 6906; that one binds to JSON-LD only). A response in a
 * profile says so in `Content-Profile`. A profile that is asked for but not offered is a 406
 * naming the profiles that are.
 */
import type { Request } from 'express';
import { HttpError } from './problem.js';
import { negotiate, NotAcceptableError } from './negotiate.js';
import { DCAT_PROFILE, DCAT_AP_PROFILE } from '../publish/dcat.js';

/** schema.org (the harvesters' default), DCAT-AP 3, or the full stored graph. */
export type Profile = 'schema' | 'dcat' | 'full';

/** The URI of each profile, as sent in Content-Profile. */
export const PROFILE_URI: Record<Profile, string> = { schema: 'https://schema.org/', dcat: DCAT_PROFILE, full: 'https://w3id.org/syndb/ontology' };

const NAMES: Record<Profile, string[]> = {
  schema: ['https://schema.org/', 'http://schema.org/', 'https://schema.org', 'http://schema.org', 'schema.org', 'schema', 'schemaorg'],
  dcat: [DCAT_PROFILE, 'http://www.w3.org/ns/dcat', DCAT_AP_PROFILE, 'http://data.europa.eu/r5r', 'https://semiceu.github.io/DCAT-AP/releases/3.0.0/', 'dcat', 'dcat-ap'],
  full: ['syndb', 'full', 'https://w3id.org/syndb/ontology', 'https://w3id.org/syndb/ontology#'],
};
const TOKENS: Record<Profile, string> = { schema: 'schema.org', dcat: 'dcat (DCAT-AP 3)', full: 'syndb (the full graph)' };

/** JSON-LD's own profiles (document forms: expanded, compacted, …) say nothing about the description. */
const jsonLdForm = (uri: string) => uri.startsWith('http://www.w3.org/ns/json-ld#');

export interface ProfileRequest {
  profile?: Profile;
  /** Where it was asked for: `accept` binds it to application/ld+json. */
  via?: 'query' | 'accept-profile' | 'accept';
  /** Profiles named by application/ld+json in Accept that are not offered (that media range then matches nothing). */
  unknown?: string[];
}

function pick(name: string, offered: Profile[]): Profile | undefined {
  const s = name.trim().replace(/^<(.*)>$/, '$1');
  return offered.find((p) => NAMES[p].includes(s) || NAMES[p].includes(s.toLowerCase()));
}

/** The 406 for a profile not offered. */
export function notOffered(asked: string, offered: Profile[]): HttpError {
  return new HttpError(406, 'Not Acceptable', `profile ${asked} is not offered; use ${offered.map((p) => `profile=${TOKENS[p]}`).join(', ')}`, { availableProfiles: offered.map((p) => PROFILE_URI[p]) });
}

/** Split a header at commas outside quoted strings and <…>. */
function splitList(header: string): string[] {
  return header.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)(?![^<]*>)/).map((x) => x.trim()).filter(Boolean);
}

/**
 * The profile asked for, among `offered`. A `profile` parameter on application/ld+json in Accept
 * is taken out of the header when it names an offered profile, so that media type negotiation
 * sees plain application/ld+json; otherwise it stays, and that media range matches nothing.
 * Throws 406 (problem+json naming the offered profiles) for ?profile= or Accept-Profile naming
 * none of them.
 */
export function requestedProfile(req: Request, offered: Profile[]): ProfileRequest {
  const q = req.query.profile;
  if (q !== undefined) {
    const v = Array.isArray(q) ? String(q[0]) : String(q);
    const p = pick(v, offered);
    if (!p) throw notOffered(`"${v}"`, offered);
    return { profile: p, via: 'query' };
  }
  const h = req.headers['accept-profile'];
  const ap = Array.isArray(h) ? h.join(',') : h;
  if (ap && ap.trim()) {
    const ranked = splitList(ap).map((item, i) => {
      const [uri, ...params] = item.split(';').map((x) => x.trim());
      const qv = Number(/^q\s*=\s*([0-9.]+)$/i.exec(params.find((x) => /^q\s*=/i.test(x)) ?? '')?.[1] ?? 1);
      return { uri, q: Number.isFinite(qv) ? qv : 0, i };
    }).filter((x) => x.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
    for (const r of ranked) {
      const p = pick(r.uri, offered);
      if (p) return { profile: p, via: 'accept-profile' };
    }
    throw notOffered(`${ap.trim()} (Accept-Profile)`, offered);
  }
  const accept = req.headers.accept;
  if (!accept || !/application\/ld\+json\s*;[^,]*profile\s*=/i.test(accept)) return {};
  let found: Profile | undefined;
  const unknown: string[] = [];
  req.headers.accept = splitList(accept).map((part) => {
    const m = /^application\/ld\+json\s*;(.*)$/i.exec(part);
    if (!m) return part;
    const params = m[1].split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((x) => x.trim()).filter(Boolean);
    const keep = params.filter((x) => {
      const pm = /^profile\s*=\s*"?([^"]*)"?$/i.exec(x);
      if (!pm) return true;
      const uris = pm[1].split(/\s+/).filter(Boolean).filter((u) => !jsonLdForm(u));
      const known = uris.map((u) => pick(u, offered)).find(Boolean);
      if (known) { found ??= known; return false; }
      if (uris.length) unknown.push(...uris); // not offered: the range keeps it and matches nothing
      return uris.length > 0;
    });
    return ['application/ld+json', ...keep].join(';');
  }).join(',');
  return found ? { profile: found, via: 'accept' } : { unknown };
}

/**
 * negotiate() for a resource offered in profiles: when no media type fits because the only
 * acceptable one named a profile that is not offered (application/ld+json;profile=…), the 406
 * names the offered profiles.
 */
export function negotiateProfiled(req: Request, offers: string[], asked: ProfileRequest, offered: Profile[]): string {
  try {
    return negotiate(req, offers);
  } catch (e) {
    if (e instanceof NotAcceptableError && asked.unknown?.length) throw notOffered(asked.unknown.map((u) => `<${u}>`).join(', '), offered);
    throw e;
  }
}
