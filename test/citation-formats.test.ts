import { describe, expect, it } from 'vitest';
import {
  CitationError,
  citationFormatFromParam,
  citationKeys,
  escapeLatex,
  formatBibliography,
  negotiateCitation,
  parseName,
  renderCitation,
  SUPPORTED_LOCALES,
  SUPPORTED_STYLES,
  toBibtex,
  toCslJson,
  toRis,
  type CitationRecord,
} from '../src/publish/citation/index.js';
import { hardCases, manyAuthors } from './fixtures/citation/records.js';

const records = hardCases();
const byTitle = (start: string) => records.find((r) => r.title.startsWith(start))!;
const l4 = byTitle('Dense connectomic') as CitationRecord; // dataset with particles, initials, organisations
const specials = byTitle('Fish & Chips');
const withdrawn = byTitle('Withdrawn');

describe('name parsing', () => {
  it.each([
    ['Motta, Alessandro', { family: 'Motta', given: 'Alessandro' }],
    ['Alessandro Motta', { family: 'Motta', given: 'Alessandro' }],
    ['Jan van der Berg', { family: 'van der Berg', given: 'Jan' }],
    ['van der Berg, Jan', { family: 'van der Berg', given: 'Jan' }],
    ['María de la Fuente', { family: 'de la Fuente', given: 'María' }],
    ['Hennig Ph.', { family: 'Hennig', given: 'Ph.' }],
    ['Motta A', { family: 'Motta', given: 'A' }],
    ['J. R. Smith', { family: 'Smith', given: 'J. R.' }],
    ['Martin Luther King Jr.', { family: 'King', given: 'Martin Luther', suffix: 'Jr.' }],
    ['King, Jr., Martin', { family: 'King', given: 'Martin', suffix: 'Jr.' }],
    ['Jörg Müller', { family: 'Müller', given: 'Jörg' }],
    ['MICrONS Consortium', { literal: 'MICrONS Consortium' }],
    ['Allen Institute for Brain Science', { literal: 'Allen Institute for Brain Science' }],
    ['FlyWire', { literal: 'FlyWire' }],
    ['王小明', { literal: '王小明' }],
  ])('%s', (input, expected) => {
    expect(parseName(input)).toEqual(expected);
  });

  it('organisation flag keeps a name whole', () => {
    expect(parseName('Smith and Jones Imaging', { organisation: true })).toEqual({ literal: 'Smith and Jones Imaging' });
  });
});

describe('citation keys', () => {
  it('are ASCII, unique within a file, and stable across calls', () => {
    const keys = citationKeys(records);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z][A-Za-z0-9_:.-]*$/);
    expect(new Set(keys.map((k) => k.toLowerCase())).size).toBe(keys.length);
    expect(citationKeys(hardCases())).toEqual(keys);
    expect(keys[0]).toBe('Muller2021Ca2_v1'); // ü -> u, superscripts folded
    expect(keys).toContain('vanderBerg2019Dense_v2');
  });

  it('transliterate ß ø ł é and fall back to the title for non-Latin names', () => {
    const one = (family: string, given = 'X') =>
      citationKeys([{ kind: 'dataset', title: 'Synapse atlas', authors: [{ family, given }], issued: '2020', publisher: 'SynDB', url: 'https://x.org/a' }])[0];
    expect(one('Strauß')).toBe('Strauss2020Synapse');
    expect(one('Ødegård')).toBe('Odegard2020Synapse');
    expect(one('Łukasiewicz')).toBe('Lukasiewicz2020Synapse');
    expect(one('Pérez')).toBe('Perez2020Synapse');
    expect(one('王', '小明')).toBe('Synapse2020Synapse');
  });

  it('the same record twice gets b, c suffixes; an explicit key is kept (made ASCII)', () => {
    const r: CitationRecord = { kind: 'dataset', title: 'Atlas', authors: [{ literal: 'FlyWire' }], issued: '2024-01-01', version: '1', publisher: 'SynDB', url: 'https://x.org/a' };
    expect(citationKeys([r, r, r])).toEqual(['FlyWire2024Atlas_v1', 'FlyWire2024Atlas_v1b', 'FlyWire2024Atlas_v1c']);
    expect(citationKeys([{ ...r, key: 'müller 2024/1' }])).toEqual(['muller-2024-1']);
  });
});

describe('BibTeX and BibLaTeX', () => {
  it('escapes the ten LaTeX specials so that braces stay balanced', () => {
    const e = escapeLatex('& % $ # _ { } ~ ^ \\ {unbalanced');
    expect(e).toBe('\\& \\% \\$ \\# \\_ {\\textbraceleft} {\\textbraceright} {\\textasciitilde} {\\textasciicircum} $\\backslash$ {\\textbraceleft}unbalanced');
    let depth = 0;
    for (const c of e) { depth += c === '{' ? 1 : c === '}' ? -1 : 0; expect(depth).toBeGreaterThanOrEqual(0); }
    expect(depth).toBe(0);
  });

  it('BibTeX: @misc with version, publisher, doi, url and a note marking a dataset; organisations braced', () => {
    const bib = toBibtex([l4]);
    expect(bib).toMatch(/^@misc\{vanderBerg2019Dense_v2,\n/);
    expect(bib).toMatch(/\n  author +=\ \{van\ der\ Berg,\ Jan\ and\ de\ la\ Fuente,\ María\ and\ Hennig,\ Ph\.\ and\ Motta,\ Alessandro\ and\ \{MICrONS\ Consortium\}\ and\ \{Janelia\ Research\ Campus\ and\ HHMI\}\ and\ \{FlyWire\}\},/);
    expect(bib).toMatch(/\n  version +=\ \{2\},/);
    expect(bib).toMatch(/\n  publisher +=\ \{SynDB\},/);
    expect(bib).toMatch(/\n  doi +=\ \{10\.1126\/science\.aay3134\},/);
    expect(bib).toMatch(/\n  url +=\ \{https:\/\/syndb\.example\.org\/datasets\/l4dense\/versions\/2\},/);
    expect(bib).toMatch(/\n  note +=\ \{Dataset\.\ Version\ 2\.\ Accessed\ 2024\-01\-02\}/);
    expect(bib).toMatch(/\n  year +=\ \{2019\},/);
    expect(bib.trimEnd().endsWith('}')).toBe(true);
  });

  it('BibLaTeX: @dataset with date, urldate, version; a withdrawn version says so', () => {
    const bib = toBibtex([l4, withdrawn], { biblatex: true });
    expect(bib).toContain('@dataset{vanderBerg2019Dense_v2,');
    expect(bib).toMatch(/\n  date +=\ \{2019\-10\-24\},/);
    expect(bib).toMatch(/\n  urldate +=\ \{2024\-01\-02\}\n/);
    expect(bib).toMatch(/@dataset\{Doe2020Withdrawn_v1,[\s\S]*note\s+= \{Withdrawn on 2021-02-03: segmentation error in volume 2\}/);
    expect(bib).toMatch(/pubstate\s+= \{withdrawn\}/);
    const doe = bib.slice(bib.indexOf('@dataset{Doe'));
    expect(doe).not.toMatch(/\n  doi /); // no DOI line in the DOI-less entry
    expect(doe).toMatch(/\n  url +=\ \{https:\/\/syndb\.example\.org\/datasets\/withdrawn\/versions\/1\},/);
  });

  it('no DOI: no doi field, the landing page URL is there', () => {
    const bib = toBibtex([specials]);
    expect(bib).not.toContain('doi');
    expect(bib).toMatch(/\n  url +=\ \{https:\/\/syndb\.example\.org\/datasets\/specials\/versions\/3\},\n/);
    expect(bib).toContain('title     = {{Fish \\& Chips: 50\\% of \\$5 for \\#1 a\\_b {\\textbraceleft}curly{\\textbraceright} {\\textasciitilde}tilde {\\textasciicircum}caret $\\backslash$backslash}}');
  });
});

describe('RIS', () => {
  const ris = toRis(records);
  it('every line is `XX  - value` and every record ends with `ER  - `', () => {
    const lines = ris.split('\r\n');
    expect(lines.at(-1)).toBe('');
    for (const l of lines.filter(Boolean)) expect(l).toMatch(/^[A-Z][A-Z0-9]  - /);
    const blocks = ris.split('\r\n\r\n');
    expect(blocks).toHaveLength(records.length);
    for (const b of blocks) {
      expect(b.startsWith('TY  - ')).toBe(true);
      expect(b.split('\r\n').filter(Boolean).at(-1)).toBe('ER  - ');
    }
  });

  it('does not wrap the 437-character title and lists 120 authors in order', () => {
    const long = records.find((r) => r.title.length > 300)!;
    expect(ris).toContain(`\r\nTI  - ${long.title}\r\n`);
    const block = toRis([manyAuthors(120)]);
    const au = block.split('\r\n').filter((l) => l.startsWith('AU  - '));
    expect(au).toHaveLength(120);
    expect(au[0]).toBe('AU  - Author1, A. B.');
    expect(au[119]).toBe('AU  - Author120, A. B.');
  });

  it('dataset fields: TY DATA, ET version, PB publisher, DO, UR, DA, Y2, withdrawn note', () => {
    const one = toRis([l4]);
    expect(one).toBe([
      'TY  - DATA', 'ID  - vanderBerg2019Dense_v2', 'AU  - van der Berg, Jan', 'AU  - de la Fuente, María', 'AU  - Hennig, Ph.',
      'AU  - Motta, Alessandro', 'AU  - MICrONS Consortium', 'AU  - Janelia Research Campus and HHMI', 'AU  - FlyWire',
      'TI  - Dense connectomic reconstruction in layer 4 of somatosensory cortex', 'PY  - 2019', 'DA  - 2019/10/24/', 'ET  - 2',
      'PB  - SynDB', 'M3  - Dataset', 'DO  - 10.1126/science.aay3134', 'UR  - https://syndb.example.org/datasets/l4dense/versions/2',
      'Y2  - 2024/01/02/', 'ER  - ', '',
    ].join('\r\n'));
    expect(toRis([withdrawn])).toContain('N1  - Withdrawn on 2021-02-03: segmentation error in volume 2\r\n');
  });
});

describe('CSL-JSON', () => {
  it('types, particles, literal names, dates, version, DOI', () => {
    const [item] = toCslJson([l4]);
    expect(item).toMatchObject({
      id: 'vanderBerg2019Dense_v2',
      type: 'dataset',
      issued: { 'date-parts': [[2019, 10, 24]] },
      accessed: { 'date-parts': [[2024, 1, 2]] },
      version: '2',
      publisher: 'SynDB',
      DOI: '10.1126/science.aay3134',
      URL: 'https://syndb.example.org/datasets/l4dense/versions/2',
    });
    expect((item!.author as unknown[]).slice(0, 3)).toEqual([
      { family: 'Berg', given: 'Jan', 'non-dropping-particle': 'van der' },
      { family: 'Fuente', given: 'María', 'non-dropping-particle': 'de la' },
      { family: 'Hennig', given: 'Ph.' },
    ]);
    expect((item!.author as unknown[]).at(-1)).toEqual({ literal: 'FlyWire' });
    expect(toCslJson([byTitle('Mouse cortex')])[0]!.type).toBe('collection');
    expect(toCslJson([records.find((r) => r.kind === 'article')!])[0]).toMatchObject({ type: 'article-journal', 'container-title': 'Science' });
  });
});

describe('APA 7 for datasets, field by field', () => {
  it('formats again what changed: a record, the style, the format (formatted references are memoised)', () => {
    const first = formatBibliography([l4], { style: 'apa' });
    expect(formatBibliography([l4], { style: 'apa' })).toBe(first);
    expect(formatBibliography([{ ...l4, version: '3' }], { style: 'apa' })).toContain('(Version 3)');
    expect(formatBibliography([l4], { style: 'apa' })).toBe(first);
    expect(formatBibliography([l4], { style: 'ieee' })).not.toBe(first);
    expect(formatBibliography([l4], { style: 'apa', format: 'html' })).toMatch(/^<div class="csl-bib-body">/);
  });

  it('author, (year), title, (Version n), [Data set], publisher, DOI URL', () => {
    const text = formatBibliography([l4], { style: 'apa', locale: 'en-US' }).trim();
    const m = /^(.*?) \((\d{4})\)\. (.*?) \(Version (.*?)\) \[Data set\]\. (.*?)\. (https:\/\/doi\.org\/\S+)$/.exec(text);
    expect(m, text).not.toBeNull();
    const [, authors, year, title, version, publisher, doi] = m!;
    expect(authors).toBe('van der Berg, J., de la Fuente, M., Hennig, Ph., Motta, A., MICrONS Consortium, Janelia Research Campus and HHMI, & FlyWire.');
    expect(year).toBe('2019');
    expect(title).toBe(l4.title);
    expect(version).toBe('2');
    expect(publisher).toBe('SynDB');
    expect(doi).toBe('https://doi.org/10.1126/science.aay3134');
    const html = formatBibliography([l4], { style: 'apa', format: 'html' });
    expect(html).toContain(`<i>${l4.title}</i> (Version 2) [Data set]`);
  });

  it('without DOI: the landing page URL; non-Latin names in their own order', () => {
    expect(formatBibliography([specials], { style: 'apa' }).trim()).toBe(
      'Smith, A. (2022). Fish & Chips: 50% of $5 for #1 a_b {curly} ~tilde ^caret \\backslash (Version 3) [Data set]. SynDB. https://syndb.example.org/datasets/specials/versions/3',
    );
    const calcium = formatBibliography([records[0]!], { style: 'apa' });
    expect(calcium).toContain('Müller, J., Strauß, G., Ødegård, S., Łukasiewicz, P., Pérez, J., 王小明, & 山田太郎. (2021).');
    expect(calcium).toContain('Ca²⁺ transients and α-synuclein in Δ-knockout mice: ρ ≥ 0.5 µm⁻³ and β/γ ratios (Version 1) [Data set]');
  });

  it('21+ authors: the first 19, an ellipsis, the last', () => {
    const text = formatBibliography([manyAuthors(120)], { style: 'apa' });
    expect(text).toContain('Author18, A. B., Author19, A. B., … Author120, A. B. (2021).');
    expect(text).not.toContain('Author20,');
  });

  it('a withdrawn version is marked', () => {
    expect(formatBibliography([withdrawn], { style: 'apa' }).trim()).toBe(
      'Doe, J. (2020). Withdrawn version of a dataset (Version 1) [Data set]. SynDB. https://syndb.example.org/datasets/withdrawn/versions/1 [Withdrawn 2021-02-03: segmentation error in volume 2]',
    );
  });
});

describe('styles and locales', () => {
  it('every style formats every hard case with title and year (and is not the same as the others)', () => {
    const outputs = new Set<string>();
    for (const style of SUPPORTED_STYLES) {
      const text = formatBibliography(records, { style });
      expect(text.trim().split('\n'), style).toHaveLength(records.length);
      for (const r of records) expect(text, `${style}: ${r.title.slice(0, 20)}`).toContain(r.title.slice(0, 40).replace(/ [^ ]*$/, ''));
      outputs.add(text);
    }
    expect(outputs.size).toBe(SUPPORTED_STYLES.length);
  });

  it('style specifics: vancouver [Internet]/cited, ieee doi:, chicago full given names, nature doi:', () => {
    expect(formatBibliography([{ ...specials, accessed: '2024-01-02' }], { style: 'vancouver' })).toContain('[Internet]. SynDB; 2022 [cited 2024 Jan 2]. Available from: https://syndb.example.org/datasets/specials/versions/3');
    expect(formatBibliography([l4], { style: 'ieee' })).toMatch(/^\[1\] J\. van der Berg et al\., “Dense connectomic reconstruction in layer 4 of somatosensory cortex\.” SynDB, Oct\. 24, 2019\./);
    expect(formatBibliography([l4], { style: 'ieee' })).toContain('doi: 10.1126/science.aay3134.');
    expect(formatBibliography([l4], { style: 'chicago' })).toMatch(/^Berg, Jan van der, María de la Fuente, Ph\. Hennig, Alessandro Motta, /);
    // titles are not title-cased into wrong symbols (µm -> Μm)
    expect(formatBibliography([records[0]!], { style: 'chicago' })).toContain('ρ ≥ 0.5 µm⁻³ and β/γ ratios');
    expect(formatBibliography([l4], { style: 'nature' })).toContain('doi:10.1126/science.aay3134');
    expect(formatBibliography([specials], { style: 'harvard1' })).toBe(formatBibliography([specials], { style: 'harvard' }));
  });

  it('the access date appears where the style asks for it, taken from the record', () => {
    const r = { ...specials, accessed: '2024-01-02' };
    expect(formatBibliography([r], { style: 'harvard', locale: 'en-GB' })).toContain('(Accessed: 2 January 2024)');
    expect(formatBibliography([specials], { style: 'harvard', locale: 'en-GB' })).not.toContain('Accessed');
  });

  it('locales change the terms', () => {
    expect(formatBibliography([l4], { style: 'harvard', locale: 'de-DE' })).toContain('Verfügbar unter:');
    expect(formatBibliography([l4], { style: 'harvard', locale: 'fr-FR' })).toContain('Disponible sur');
    expect(formatBibliography([l4], { style: 'harvard', locale: 'en-GB' })).toContain('Available at:');
    expect(formatBibliography([{ ...specials, accessed: '2024-01-02' }], { style: 'vancouver', locale: 'de' })).toContain('[zitiert 2. Januar 2024]. Verfügbar unter:');
    expect(SUPPORTED_LOCALES).toEqual(expect.arrayContaining(['en-US', 'en-GB', 'de-DE', 'fr-FR']));
  });

  it('unknown style or locale: a specific error', () => {
    expect(() => formatBibliography([l4], { style: 'mla' })).toThrow(/style: "mla" is not supported; use one of apa, vancouver, harvard, chicago, ieee, nature/);
    expect(() => formatBibliography([l4], { locale: 'xx-YY' })).toThrow(/locale: "xx-YY" is not supported/);
  });
});

describe('record checks', () => {
  it.each([
    [{ title: ' ' }, /records\[0\]\.title: a non-empty title is required/],
    [{ url: 'ftp://x' }, /records\[0\]\.url: "ftp:\/\/x" is not an http\(s\) URL/],
    [{ issued: '2019-13-01' }, /records\[0\]\.issued: month 13 in "2019-13-01"/],
    [{ issued: '24.10.2019' }, /records\[0\]\.issued: "24.10.2019" is not an ISO date/],
    [{ doi: 'abc' }, /records\[0\]\.doi: "abc" is not a DOI/],
    [{ kind: 'book' }, /records\[0\]\.kind: "book" is not one of dataset, article, collection/],
    [{ authors: [{ given: 1 }] }, /records\[0\]\.authors\[0\]\.given: expected a string, got number/],
    [{ publisher: '' }, /records\[0\]\.publisher: the publisher/],
  ])('%j', (patch, message) => {
    const bad = { ...l4, ...patch } as unknown as CitationRecord;
    expect(() => toBibtex([bad])).toThrow(CitationError);
    expect(() => toRis([bad])).toThrow(message);
  });

  it('a DOI URL is accepted and stored bare', () => {
    expect(toCslJson([{ ...specials, doi: 'https://doi.org/10.5281/zenodo.42' }])[0]!.DOI).toBe('10.5281/zenodo.42');
  });

  it('the output never depends on the clock', () => {
    const a = [toBibtex(records), toRis(records), JSON.stringify(toCslJson(records)), formatBibliography(records)];
    const realNow = Date.now;
    Date.now = () => realNow() + 400 * 24 * 3600 * 1000;
    try {
      expect([toBibtex(records), toRis(records), JSON.stringify(toCslJson(records)), formatBibliography(records)]).toEqual(a);
    } finally {
      Date.now = realNow;
    }
  });
});

describe('content negotiation', () => {
  it('picks the format from Accept with q-values and DOI-style style/locale parameters', () => {
    expect(negotiateCitation('text/x-bibliography; style=ieee; locale=de-DE')).toEqual({ format: 'bibliography', style: 'ieee', locale: 'de-DE' });
    expect(negotiateCitation('application/x-research-info-systems;q=0.5, application/x-bibtex')).toEqual({ format: 'bibtex' });
    expect(negotiateCitation('application/vnd.citationstyles.csl+json')).toEqual({ format: 'csl' });
    expect(negotiateCitation('text/turtle, application/ld+json')).toBeUndefined();
    expect(negotiateCitation('application/x-bibtex;q=0')).toBeUndefined();
    expect(citationFormatFromParam('biblatex')).toBe('biblatex');
    expect(citationFormatFromParam('ttl')).toBeUndefined();
  });

  it('renders multi-entry downloads with content type and file name', () => {
    const bib = renderCitation(records, { format: 'biblatex' }, 'collection mouse-cortex');
    expect(bib.contentType).toBe('application/x-bibtex; charset=utf-8');
    expect(bib.filename).toBe('collection-mouse-cortex.bib');
    expect(bib.body.match(/^@/gm)).toHaveLength(records.length);
    const txt = renderCitation(records.slice(0, 2), { format: 'bibliography', style: 'chicago', locale: 'fr' });
    expect(txt.contentType).toBe('text/x-bibliography; charset=utf-8');
    const html = renderCitation(records.slice(0, 2), { format: 'bibliography', output: 'html' });
    expect(html.contentType).toBe('text/html; charset=utf-8');
    expect(JSON.parse(renderCitation(records, { format: 'csl' }).body)).toHaveLength(records.length);
    expect(() => renderCitation(records, { format: 'bibliography', style: 'nope' })).toThrow(/style: "nope"/);
  });
});
