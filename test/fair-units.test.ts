/** Pure parts of FAIR publication: script-safe JSON, header-safe URLs, sitemap index, linkset shapes. */
import { describe, expect, it } from 'vitest';
import { jsonLdScript } from '../src/publish/schema-org.js';
import { headerSafeUrl, linkHeader, linksetJson, linksetText } from '../src/publish/signposting.js';
import { sitemapResponse, robotsTxt, SITEMAP_LIMIT } from '../src/publish/sitemap.js';
import { relatedId } from '../src/publish/datacite.js';
import { escapeMarkup, scriptSafeJson } from '../src/util/markup-escape.js';

describe('landing page JSON-LD block', () => {
  it('cannot be closed or commented out by values', () => {
    const evil = { name: '</script><script>alert(1)</script>', d: '<!-- x --> & \u2028 \u2029 </SCRIPT >' };
    const block = jsonLdScript(evil);
    const inner = block.slice('<script type="application/ld+json">'.length, -'</script>'.length);
    expect(inner).not.toMatch(/<\/script|<!--|<script/i);
    expect(inner).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(inner)).toEqual(evil);
    expect(JSON.parse(scriptSafeJson(evil))).toEqual(evil);
  });
});

describe('Link headers', () => {
  it('percent-encodes what breaks comma/semicolon splitting parsers', () => {
    const u = 'https://doi.org/10.5555/a,b;c "d" <e>';
    const safe = headerSafeUrl(u);
    expect(safe).toBe('https://doi.org/10.5555/a%2Cb%3Bc%20%22d%22%20%3Ce%3E');
    expect(decodeURIComponent(safe)).toBe(u);
    expect(headerSafeUrl('https://example.org/ä')).toBe('https://example.org/%C3%A4');
    const h = linkHeader([{ href: u, rel: 'cite-as' }, { href: 'https://example.org/x?format=jsonld&profile=dcat', rel: 'describedby', type: 'application/ld+json', profile: 'http://www.w3.org/ns/dcat#' }]);
    const parts = h.split(',');
    expect(parts).toHaveLength(2);
    for (const p of parts) expect(p).toMatch(/^\s*<[^<>\s,;"]+>(\s*;\s*[a-z-]+="[^"]*")+\s*$/);
  });
  it('linkset: first context anchored at the landing page; items and metadata point back', () => {
    const links = [
      { href: 'https://x.org/d', rel: 'cite-as' },
      { href: 'https://x.org/d?format=ttl', rel: 'describedby', type: 'text/turtle' },
      { href: 'https://x.org/d/tables/neuron', rel: 'item', type: 'text/csv' },
      { href: 'https://x.org/d/linkset', rel: 'linkset', type: 'application/linkset+json' },
    ];
    const ls = linksetJson('https://x.org/d', links).linkset;
    expect(ls[0]).toEqual({ anchor: 'https://x.org/d', 'cite-as': [{ href: 'https://x.org/d' }], describedby: [{ href: 'https://x.org/d?format=ttl', type: 'text/turtle' }], item: [{ href: 'https://x.org/d/tables/neuron', type: 'text/csv' }] });
    expect(ls).toContainEqual({ anchor: 'https://x.org/d/tables/neuron', collection: [{ href: 'https://x.org/d', type: 'text/html' }] });
    expect(ls).toContainEqual({ anchor: 'https://x.org/d?format=ttl', describes: [{ href: 'https://x.org/d', type: 'text/html' }] });
    const text = linksetText('https://x.org/d', links).trim().split(',\n');
    expect(text).toHaveLength(5);
    for (const l of text) expect(l).toMatch(/; anchor="https:\/\/x\.org\/d[^"]*"/);
  });
});

describe('sitemap', () => {
  const urls = Array.from({ length: 7 }, (_, i) => ({ loc: `https://x.org/datasets/d${i}`, lastmod: `2024-01-0${i + 1}T10:00:00.123Z` }));
  it('one urlset while everything fits', () => {
    const xml = sitemapResponse(urls, 'https://x.org/sitemap.xml')!;
    expect(xml).toContain('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    expect(xml.match(/<url>/g)).toHaveLength(7);
    expect(xml).toContain('<lastmod>2024-01-07T10:00:00Z</lastmod>');
    expect(SITEMAP_LIMIT).toBe(50_000);
  });
  it('an index with parts past the limit', () => {
    const index = sitemapResponse(urls, 'https://x.org/sitemap.xml', undefined, 3)!;
    expect(index).toContain('<sitemapindex');
    expect(index.match(/<sitemap>/g)).toHaveLength(3);
    expect(index).toContain('<loc>https://x.org/sitemap.xml?part=3</loc><lastmod>2024-01-07T10:00:00Z</lastmod>');
    const parts = [1, 2, 3].map((p) => sitemapResponse(urls, 'https://x.org/sitemap.xml', p, 3)!);
    expect(parts.map((p) => p.match(/<url>/g)!.length)).toEqual([3, 3, 1]);
    expect(sitemapResponse(urls, 'https://x.org/sitemap.xml', 4, 3)).toBeUndefined();
  });
  it('robots.txt names the sitemap', () => {
    expect(robotsTxt('https://x.org')).toMatch(/^Sitemap: https:\/\/x\.org\/sitemap\.xml$/m);
  });
});

describe('DataCite helpers', () => {
  it('escapes XML and drops characters XML cannot carry', () => {
    expect(escapeMarkup('a<b>&"\'\u0001c\uFFFE\uD800d\u{1F9E0}')).toBe('a&lt;b&gt;&amp;&quot;&#39;cd\u{1F9E0}');
  });
  it('related identifiers: DOIs bare, others URLs', () => {
    expect(relatedId('https://doi.org/10.1126/science.aay3134')).toEqual({ relatedIdentifier: '10.1126/science.aay3134', relatedIdentifierType: 'DOI' });
    expect(relatedId('https://example.org/x')).toEqual({ relatedIdentifier: 'https://example.org/x', relatedIdentifierType: 'URL' });
  });
});
