/**
 * Sitemaps (sitemaps.org 0.9): one <urlset> while the URLs fit (50,000 per file), else a
 * <sitemapindex> whose parts are /sitemap.xml?part=N; robots.txt pointing to it.
 */
import { escapeMarkup } from '../util/markup-escape.js';

export const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
export const SITEMAP_LIMIT = 50_000;

export interface SitemapUrl { loc: string; lastmod?: string }

export function urlset(urls: SitemapUrl[]): string {
  const body = urls.map((u) => `  <url><loc>${escapeMarkup(u.loc)}</loc>${u.lastmod ? `<lastmod>${escapeMarkup(w3cDate(u.lastmod))}</lastmod>` : ''}</url>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}">\n${body}${body ? '\n' : ''}</urlset>\n`;
}

export function sitemapIndex(parts: SitemapUrl[]): string {
  const body = parts.map((u) => `  <sitemap><loc>${escapeMarkup(u.loc)}</loc>${u.lastmod ? `<lastmod>${escapeMarkup(w3cDate(u.lastmod))}</lastmod>` : ''}</sitemap>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="${SITEMAP_NS}">\n${body}\n</sitemapindex>\n`;
}

/** W3C datetime with seconds precision and Z (sitemaps accept YYYY-MM-DDThh:mm:ssZ). */
export function w3cDate(t: string): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const latest = (urls: SitemapUrl[]) => urls.reduce<string | undefined>((m, u) => (u.lastmod && (!m || Date.parse(u.lastmod) > Date.parse(m)) ? u.lastmod : m), undefined);

/**
 * What /sitemap.xml[?part=N] answers: the urlset when everything fits one file, the index when not
 * (part undefined), or one part. Returns undefined for a part that does not exist.
 */
export function sitemapResponse(urls: SitemapUrl[], sitemapUrl: string, part?: number, limit = SITEMAP_LIMIT): string | undefined {
  const parts = Math.max(1, Math.ceil(urls.length / limit));
  if (part === undefined) {
    if (parts === 1) return urlset(urls);
    return sitemapIndex(Array.from({ length: parts }, (_, i) => {
      const slice = urls.slice(i * limit, (i + 1) * limit);
      return { loc: `${sitemapUrl}?part=${i + 1}`, lastmod: latest(slice) };
    }));
  }
  if (!Number.isInteger(part) || part < 1 || part > parts) return undefined;
  return urlset(urls.slice((part - 1) * limit, part * limit));
}

export function robotsTxt(base: string): string {
  return `User-agent: *\nAllow: /\nDisallow: /sparql\nDisallow: /store\n\nSitemap: ${base}/sitemap.xml\n`;
}
