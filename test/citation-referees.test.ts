/**
 * Our citation files read by tools we did not write, installed from Debian:
 * Python's bibtexparser, `biber --tool`, bibutils (bib2xml, ris2xml) and python3-jsonschema.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { citationKeys, toBibtex, toCslJson, toRis, type CitationRecord } from '../src/publish/citation/index.js';
import { ensureDebianPackages } from './helpers/debian.js';
import { hardCases } from './fixtures/citation/records.js';

// Debian's python3 (the packaged bibtexparser / jsonschema live there, not in a pyenv).
const PY = '/usr/bin/python3';
const SCHEMA = new URL('../src/publish/citation/data/csl-data.schema.json', import.meta.url).pathname;

const records: CitationRecord[] = hardCases();
const keys = citationKeys(records);
let dir: string;

interface BtpEntry { ENTRYTYPE: string; ID: string; [field: string]: string }
interface BtpName { first: string[]; last: string[]; von: string[]; jr: string[] }
interface BtpFile { entries: BtpEntry[]; names: Record<string, BtpName[]> }
let btp: { files: Record<string, BtpFile>; log: string };

/** bibtexparser 1.x: parse every file, split author lists at brace depth 0, split names with its splitname. */
const BTP_SCRIPT = String.raw`
import sys, json, logging, io
import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import splitname
log = io.StringIO()
handler = logging.StreamHandler(log)
handler.setLevel(logging.WARNING)
logging.getLogger().addHandler(handler)
def split_and(v):
    parts, depth, cur, i = [], 0, '', 0
    while i < len(v):
        c = v[i]
        if c == '{': depth += 1
        elif c == '}': depth -= 1
        if depth == 0 and v[i:i+5] == ' and ':
            parts.append(cur); cur = ''; i += 5; continue
        cur += c; i += 1
    parts.append(cur)
    return [p.strip() for p in parts]
out = {}
for path in sys.argv[1:]:
    p = BibTexParser(common_strings=False, ignore_nonstandard_types=False, homogenize_fields=False, interpolate_strings=False)
    db = bibtexparser.loads(open(path, encoding='utf-8').read(), p)
    names = {e['ID']: [splitname(n) for n in split_and(e.get('author', ''))] for e in db.entries if e.get('author')}
    out[path] = {'entries': db.entries, 'names': names}
print(json.dumps({'files': out, 'log': log.getvalue()}))
`;

interface Mods { id: string; title: string; names: Array<{ family?: string; given?: string; literal?: string }>; year?: string; doi?: string }

function decodeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;|&#39;/g, "'").replace(/&amp;/g, '&');
}

/** The parts of bibutils' MODS output we compare: first title (+ subtitle), names, year issued, DOI. */
function parseMods(xml: string): Mods[] {
  const out: Mods[] = [];
  for (const m of xml.matchAll(/<mods ID="([^"]*)">([\s\S]*?)\n<\/mods>/g)) {
    const body = m[2]!;
    const ti = /<titleInfo>\s*<title>([\s\S]*?)<\/title>(?:\s*<subTitle>([\s\S]*?)<\/subTitle>)?/.exec(body);
    const title = ti ? decodeXml(ti[1]!) + (ti[2] ? `: ${decodeXml(ti[2])}` : '') : '';
    const names: Mods['names'] = [];
    // top-level names only (a relatedItem host has none here)
    for (const n of body.matchAll(/<name(?: type="personal")?>([\s\S]*?)<\/name>/g)) {
      const given = [...n[1]!.matchAll(/<namePart type="given">([^<]*)<\/namePart>/g)].map((g) => decodeXml(g[1]!)).join(' ');
      const family = /<namePart type="family">([^<]*)<\/namePart>/.exec(n[1]!)?.[1];
      const literal = /<namePart>([^<]*)<\/namePart>/.exec(n[1]!)?.[1];
      if (family !== undefined) names.push(given ? { family: decodeXml(family), given } : { family: decodeXml(family) });
      else if (literal !== undefined) names.push({ literal: decodeXml(literal) });
    }
    const year = /<dateIssued>(\d{4})/.exec(body)?.[1];
    const doi = /<identifier type="doi">([^<]*)<\/identifier>/.exec(body)?.[1];
    out.push({ id: m[1]!, title, names, year, doi: doi && decodeXml(doi) });
  }
  return out;
}

/** bibutils stores initials without their periods ("A. B." -> "A B"): compare given names that way. */
const initials = (g: string | undefined) => g?.replace(/\./g, ' ').replace(/\s+/g, ' ').trim();

function normaliseGiven(m: Mods): Mods {
  return { ...m, names: m.names.map((n) => (n.given === undefined ? n : { ...n, given: initials(n.given) })) };
}

/** What a reader of our files must get back for each record. */
function expectedMods(r: CitationRecord, key: string): Mods {
  return {
    id: key,
    title: r.title,
    names: r.authors.map((a) => (a.literal ? { literal: a.literal } : { family: a.family, given: initials(a.given) })),
    year: r.issued?.slice(0, 4),
    doi: r.doi,
  };
}

beforeAll(() => {
  ensureDebianPackages(['python3-bibtexparser', 'biber', 'bibutils', 'python3-jsonschema']);
  dir = mkdtempSync(join(tmpdir(), 'syndb-cite-'));
  writeFileSync(join(dir, 'bibtex.bib'), toBibtex(records));
  writeFileSync(join(dir, 'biblatex.bib'), toBibtex(records, { biblatex: true }));
  writeFileSync(join(dir, 'out.ris'), toRis(records));
  writeFileSync(join(dir, 'csl.json'), JSON.stringify(toCslJson(records)));
});

describe('biber --tool', () => {
  const runs: Record<string, { status: number | null; log: string }> = {};
  beforeAll(() => {
    // BibLaTeX is checked against biblatex's data model too; BibTeX @misc carries `publisher`
    // (as DataCite's BibTeX does), which the biblatex data model does not list for @misc.
    for (const [name, extra] of [['biblatex', ['--validate-datamodel']], ['bibtex', []]] as const) {
      const r = spawnSync('biber', ['--tool', ...extra, '--output-file', join(dir, `${name}.biber.bib`), join(dir, `${name}.bib`)], { encoding: 'utf8' });
      runs[name] = { status: r.status, log: `${r.stdout}\n${r.stderr}` };
    }
    const files = ['bibtex.bib', 'biblatex.bib', 'bibtex.biber.bib', 'biblatex.biber.bib'].map((f) => join(dir, f));
    btp = JSON.parse(execFileSync(PY, ['-c', BTP_SCRIPT, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  });

  it.each(['bibtex', 'biblatex'])('reads our %s with no warnings or errors', (name) => {
    expect(runs[name]!.status, runs[name]!.log).toBe(0);
    const problems = runs[name]!.log.split('\n').filter((l) => /^(WARN|ERROR)/.test(l));
    expect(problems).toEqual([]);
  });

  it.each(['bibtex', 'biblatex'])('writes back the same entries and fields as bibtexparser reads from our %s', (name) => {
    const ours = btp.files[join(dir, `${name}.bib`)]!.entries;
    const theirs = btp.files[join(dir, `${name}.biber.bib`)]!.entries;
    expect(theirs.map((e) => e.ID).sort()).toEqual([...keys].sort());
    const norm = (e: BtpEntry) => {
      const o: Record<string, string> = {};
      for (const [k, v] of Object.entries(e)) {
        const field = k.toLowerCase();
        // biber writes the BibTeX aliases year and journal as date and journaltitle: the same values
        const alias: Record<string, string> = { year: 'date', journal: 'journaltitle' };
        o[alias[field] ?? field] = field === 'entrytype' ? v.toLowerCase() : v.replace(/\s+/g, ' ');
      }
      return o;
    };
    const byId = new Map(theirs.map((e) => [e.ID, norm(e)]));
    for (const e of ours) expect(byId.get(e.ID), e.ID).toEqual(norm(e));
  });
});

describe('Python bibtexparser', () => {
  it('reads both files without a warning', () => {
    expect(btp.log).toBe('');
  });

  it.each([
    ['bibtex', false],
    ['biblatex', true],
  ] as const)('gets the fields of every record from our %s', (name, biblatex) => {
    const file = btp.files[join(dir, `${name}.bib`)]!;
    expect(file.entries.map((e) => e.ID)).toEqual(keys);
    records.forEach((r, i) => {
      const e = file.entries[i]!;
      const type = r.kind === 'article' ? 'article' : biblatex ? 'dataset' : 'misc';
      expect(e.ENTRYTYPE, e.ID).toBe(type);
      expect(e.doi, e.ID).toBe(r.doi);
      expect(e.url, e.ID).toBe(r.url);
      if (r.kind !== 'article') {
        expect(e.version, e.ID).toBe(r.version);
        expect(e.publisher, e.ID).toBe(r.publisher);
      }
      if (biblatex) expect(e.date, e.ID).toBe(r.issued);
      else expect(e.year, e.ID).toBe(r.issued!.slice(0, 4));
      if (!biblatex && r.kind !== 'article') expect(e.note, e.ID).toMatch(r.kind === 'collection' ? /^Dataset collection/ : /^Dataset\b/);
      if (biblatex && r.kind === 'dataset') expect(e.note ?? '', e.ID).not.toMatch(/^Dataset/);
      if (r.accessed) expect(biblatex ? e.urldate : e.note, e.ID).toContain(r.accessed);
      if (r.withdrawn) expect(e.note, e.ID).toContain(`Withdrawn on ${r.withdrawn.date}: ${r.withdrawn.reason}`);
      // the title is one braced group (case protected), the whole title inside
      expect(e.title!.startsWith('{') && e.title!.endsWith('}'), e.ID).toBe(true);
      // authors: count, order, family/von/given split as BibTeX does
      const names = file.names[e.ID]!;
      expect(names.length, e.ID).toBe(r.authors.length);
      r.authors.forEach((a, j) => {
        const n = names[j]!;
        if (a.literal) {
          expect(n.last.join(' '), `${e.ID} author ${j}`).toBe(`{${a.literal}}`);
          expect(n.first, `${e.ID} author ${j}`).toEqual([]);
        } else {
          expect([...n.von, ...n.last].join(' '), `${e.ID} author ${j}`).toBe(a.family);
          expect(n.first.join(' '), `${e.ID} author ${j}`).toBe(a.given);
        }
      });
    });
  });
});

describe('bibutils', () => {
  let fromBib: Mods[];
  let fromBiblatex: Mods[];
  let fromRis: Mods[];
  beforeAll(() => {
    const organisations = [...new Set(records.flatMap((r) => r.authors.flatMap((a) => (a.literal ? [a.literal] : []))))];
    writeFileSync(join(dir, 'asis.txt'), organisations.join('\n') + '\n');
    const run = (tool: string, file: string) => {
      const extra = tool === 'ris2xml' ? ['--asis', join(dir, 'asis.txt')] : [];
      const r = spawnSync(tool, ['-i', 'utf8', ...extra, join(dir, file)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    fromBib = parseMods(run('bib2xml', 'bibtex.bib'));
    fromBiblatex = parseMods(run('biblatex2xml', 'biblatex.bib'));
    fromRis = parseMods(run('ris2xml', 'out.ris'));
  });

  // bibutils maps \textasciicircum to U+2303 (up arrowhead), the glyph TeX prints.
  const unglyph = (m: Mods) => normaliseGiven({ ...m, title: m.title.replace(/\u2303/g, '^') });

  it('bib2xml reads our BibTeX into the same titles, authors, years and DOIs', () => {
    expect(fromBib.map(unglyph)).toEqual(records.map((r, i) => expectedMods(r, keys[i]!)));
  });

  it('biblatex2xml reads our BibLaTeX into the same titles, authors, years and DOIs', () => {
    // BibLaTeX models an organisation as a braced family name with no given name; biblatex2xml says so.
    const expected = records.map((r, i) => {
      const m = expectedMods(r, keys[i]!);
      return { ...m, names: m.names.map((n) => (n.literal ? { family: n.literal } : n)) };
    });
    expect(fromBiblatex.map(unglyph)).toEqual(expected);
  });

  it('ris2xml reads our RIS into the same titles, authors, years and DOIs (bibutils 7.2 limits noted)', () => {
    const ris = readFileSync(join(dir, 'out.ris'), 'utf8');
    const expected = records.map((r, i) => {
      const m = expectedMods(r, keys[i]!);
      // RIS cannot mark an AU value as an organisation: bibutils is told through its --asis list
      // (below). Its RIS reader also splits an AU value at " and " (RIS has one name per AU line:
      // our line is checked verbatim instead) and rejects DOIs whose registrant code has five digits
      // (10.48550/…, arXiv): our DO line is checked verbatim instead.
      const names = m.names.flatMap((n) => (n.literal && / and /.test(n.literal) ? n.literal.split(' and ').map((part, k) => {
        const words = part.split(' ');
        return k === 0 ? { family: words.pop()!, given: words.join(' ') } : { literal: part };
      }) : [n]));
      for (const a of r.authors) if (a.literal) expect(ris).toContain(`\r\nAU  - ${a.literal}\r\n`);
      if (r.doi) expect(ris).toContain(`\r\nDO  - ${r.doi}\r\n`);
      const doi = r.doi && /^10\.\d{4}\//.test(r.doi) ? r.doi : undefined;
      return { ...m, names, doi };
    });
    expect(fromRis.map(normaliseGiven)).toEqual(expected);
  });

  it('reads the 437-character title whole and the 120 authors in order', () => {
    const long = records.findIndex((r) => r.title.length > 300);
    expect(fromRis[long]!.title).toBe(records[long]!.title);
    const many = records.findIndex((r) => r.authors.length >= 100);
    expect(fromRis[many]!.names.map((n) => n.family)).toEqual(records[many]!.authors.map((a) => a.family));
    expect(fromBib[many]!.names).toHaveLength(120);
  });
});

describe('CSL-JSON against the bundled CSL data schema (python3-jsonschema)', () => {
  const validate = (file: string) => {
    const script = `import json, sys, jsonschema
schema = json.load(open(sys.argv[1])); data = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator.check_schema(schema)
errs = sorted(jsonschema.Draft7Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
print(json.dumps(['/'.join(map(str, e.absolute_path)) + ': ' + e.message for e in errs]))`;
    return JSON.parse(execFileSync(PY, ['-c', script, SCHEMA, file], { encoding: 'utf8' })) as string[];
  };

  it('validates every hard case', () => {
    expect(validate(join(dir, 'csl.json'))).toEqual([]);
  });

  it('rejects a misspelt variable, a bad date and an unknown type (the check can fail)', () => {
    const items = toCslJson(records.slice(0, 1)) as Array<Record<string, unknown>>;
    const bad = [{ ...items[0], titel: 'x' }, { ...items[0], issued: { 'date-parts': '2019' } }, { ...items[0], type: 'data-set' }];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const errors = validate(join(dir, 'bad.json'));
    expect(errors.some((e) => e.startsWith('0: ') && e.includes("'titel'"))).toBe(true);
    expect(errors.some((e) => e.startsWith('1/issued/date-parts'))).toBe(true);
    expect(errors.some((e) => e.startsWith('2/type'))).toBe(true);
  });

});
