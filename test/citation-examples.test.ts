/**
 * Citations of the example datasets as the service serves them, all together in ONE file, read
 * by the referees of test/citation-referees.test.ts (biber --tool, Python's bibtexparser,
 * bibutils bib2xml / ris2xml): keys unique across datasets (no duplicate-key warning), the
 * articles a dataset supplements named, organisation authors one literal name, and datasets
 * first released elsewhere cited with that year and our version's date beside it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianPackages } from './helpers/debian.js';
import { startTestService, type TestService } from './helpers/service.js';

const PY = '/usr/bin/python3';
let svc: TestService;
let dir: string;
let ids: string[];
const files: Record<string, string> = {};
const get = async (path: string, accept: string) => {
  const res = await svc.fetch(path, { headers: { accept } });
  expect(res.status, path).toBe(200);
  return res.text();
};

beforeAll(async () => {
  ensureDebianPackages(['python3-bibtexparser', 'biber', 'bibutils']);
  svc = await startTestService();
  const token = svc.ctx.tokens.create('dora', 'contributor');
  // an organisation author uploaded as a plain name, and one typed as an Organization
  for (const [id, creator] of [['consortium-plain', 'Dendritic Consortium'], ['consortium-typed', { name: 'Dendritic Consortium', type: 'Organization' }]] as const) {
    const body = { id, title: 'Dendritic spines of the consortium', description: 'Spines.', creators: [creator, { name: 'Lin, Michael' }], license: 'CC-BY-4.0',
      species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['dendrite'], publications: [{ doi: '10.1126/science.aay3134' }] };
    const res = await svc.fetch('/datasets?publish=true', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
  }
  ids = [...svc.ctx.catalog.entries.keys()].sort();
  expect(ids.length).toBeGreaterThanOrEqual(7);
  dir = mkdtempSync(join(tmpdir(), 'syndb-cite-examples-'));
  for (const [name, query] of [['bibtex.bib', 'bibtex'], ['biblatex.bib', 'biblatex'], ['all.ris', 'ris']] as const) {
    const parts = await Promise.all(ids.map((id) => get(`/datasets/${id}?format=${query}`, '*/*')));
    files[name] = parts.join(name.endsWith('.ris') ? '\r\n' : '\n');
    writeFileSync(join(dir, name), files[name]);
  }
}, 120_000);
afterAll(async () => svc?.stop());

const entriesOf = (bib: string) => [...bib.matchAll(/^@(\w+)\{([^,]+),\n([\s\S]*?)\n\}$/gm)].map((m) => ({ type: m[1], key: m[2], body: m[3] }));
const fieldOf = (body: string, name: string) => new RegExp(`^\\s*${name}\\s*=\\s*\\{(.*)\\},?$`, 'm').exec(body)?.[1];
const entryFor = (bib: string, id: string) => entriesOf(bib).find((e) => fieldOf(e.body, 'url')?.includes(`/datasets/${id}/`))!;

describe('the example datasets in one bibliography', () => {
  it('every key is unique across the datasets, and the Dendritic Consortium parts no longer share one', () => {
    for (const f of ['bibtex.bib', 'biblatex.bib']) {
      const keys = entriesOf(files[f]).map((e) => e.key);
      expect(keys).toHaveLength(ids.length);
      expect(new Set(keys.map((k) => k.toLowerCase())).size).toBe(keys.length);
    }
    const mouse = entryFor(files['bibtex.bib'], 'dendritic-consortium-mouse-v1').key;
    const hydra = entryFor(files['bibtex.bib'], 'dendritic-consortium-hydra').key;
    expect(mouse).toMatch(/^Lin\d{4}Dendritic/);
    expect(hydra).toMatch(/^Lin\d{4}Dendritic/);
    expect(mouse).not.toBe(hydra);
    const risIds = [...files['all.ris'].matchAll(/^ID {2}- (.*)$/gm)].map((m) => m[1]!.trim());
    expect(new Set(risIds).size).toBe(ids.length);
  });

  it('biber reads the whole file without a warning about duplicate keys', () => {
    for (const f of ['bibtex.bib', 'biblatex.bib']) {
      const r = spawnSync('biber', ['--tool', '--output-file', join(dir, `${f}.biber.bib`), join(dir, f)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const out = `${r.stdout}\n${r.stderr}`;
      expect(out).not.toMatch(/duplicate/i);
      expect(out).not.toMatch(/WARN/);
    }
  });

  it('bibtexparser reads every entry of the file, with no warning', () => {
    const script = String.raw`
import sys, json, logging, io
import bibtexparser
from bibtexparser.bparser import BibTexParser
log = io.StringIO()
h = logging.StreamHandler(log); h.setLevel(logging.WARNING); logging.getLogger().addHandler(h)
out = {}
for path in sys.argv[1:]:
    p = BibTexParser(common_strings=False, ignore_nonstandard_types=False, homogenize_fields=False, interpolate_strings=False)
    db = bibtexparser.loads(open(path, encoding='utf-8').read(), p)
    out[path] = [e['ID'] for e in db.entries]
print(json.dumps({'ids': out, 'log': log.getvalue()}))
`;
    const r = JSON.parse(execFileSync(PY, ['-c', script, join(dir, 'bibtex.bib'), join(dir, 'biblatex.bib')], { encoding: 'utf8' })) as { ids: Record<string, string[]>; log: string };
    expect(r.log).toBe('');
    for (const list of Object.values(r.ids)) {
      expect(list).toHaveLength(ids.length);
      expect(new Set(list).size).toBe(list.length);
    }
  });

  it('bibutils reads every record of the BibTeX and the RIS file', () => {
    for (const [tool, f] of [['bib2xml', 'bibtex.bib'], ['ris2xml', 'all.ris']] as const) {
      const r = spawnSync(tool, ['-i', 'utf8', join(dir, f)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.status, r.stderr).toBe(0);
      const modsIds = [...r.stdout.matchAll(/<mods ID="([^"]*)">/g)].map((m) => m[1]);
      expect(modsIds).toHaveLength(ids.length);
      expect(new Set(modsIds).size).toBe(ids.length);
    }
  });

  it('the article a dataset supplements is named in BibTeX, BibLaTeX, RIS and CSL-JSON', async () => {
    for (const f of ['bibtex.bib', 'biblatex.bib']) {
      expect(fieldOf(entryFor(files[f], 'l4dense-motta2019').body, 'note')).toMatch(/Supplement to https:\/\/doi\.org\/10\.1126\/science\.aay3134/);
    }
    const ris = await get('/datasets/l4dense-motta2019', 'application/x-research-info-systems');
    expect(ris).toMatch(/^N1 {2}- Supplement to https:\/\/doi\.org\/10\.1126\/science\.aay3134\r$/m);
    expect(ris).not.toMatch(/^DO {2}- 10\.1126\/science\.aay3134/m); // DO is the dataset's own DOI only
    const csl = JSON.parse(await get('/datasets/l4dense-motta2019', 'application/vnd.citationstyles.csl+json')) as Array<{ note?: string }>;
    expect(csl[0]!.note).toMatch(/10\.1126\/science\.aay3134/);
    // method papers (dcterms:references) are not what the dataset supplements
    expect(fieldOf(entryFor(files['bibtex.bib'], 'l4dense-motta2019').body, 'note')).not.toMatch(/ncomms8923/);
  });

  it('an organisation author is one literal name in every format, whether typed or given as a plain name', async () => {
    for (const id of ['consortium-plain', 'consortium-typed']) {
      for (const f of ['bibtex.bib', 'biblatex.bib']) expect(fieldOf(entryFor(files[f], id).body, 'author')).toBe('{Dendritic Consortium} and Lin, Michael');
      const ris = await get(`/datasets/${id}`, 'application/x-research-info-systems');
      expect(ris).toMatch(/^AU {2}- Dendritic Consortium\r$/m);
      expect(ris).not.toMatch(/^AU {2}- Consortium/m);
      const csl = JSON.parse(await get(`/datasets/${id}`, 'application/vnd.citationstyles.csl+json')) as Array<{ author: unknown[] }>;
      expect(csl[0]!.author[0]).toEqual({ literal: 'Dendritic Consortium' });
      expect(entryFor(files['bibtex.bib'], id).key).toMatch(/^DendriticConsortium/);
    }
    const r = spawnSync('bib2xml', ['-i', 'utf8', join(dir, 'bibtex.bib')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.stdout).not.toMatch(/<namePart type="family">Consortium<\/namePart>/);
  });

  it('a dataset first released elsewhere is cited with that year, our version date beside it', async () => {
    const thisYear = String(new Date().getUTCFullYear());
    for (const [id, year, first] of [['l4dense-motta2019', '2019', '2019'], ['microns-minnie65-v117', '2021', '2021-06-11']] as const) {
      const bib = entryFor(files['bibtex.bib'], id);
      expect(fieldOf(bib.body, 'year'), id).toBe(year);
      expect(bib.key).toContain(year);
      expect(fieldOf(bib.body, 'note')).toMatch(new RegExp(`First released ${first}; version 1 published ${thisYear}-\\d\\d-\\d\\d`));
      const blx = entryFor(files['biblatex.bib'], id);
      expect(fieldOf(blx.body, 'date')).toBe(first);
      expect(fieldOf(blx.body, 'note')).toMatch(new RegExp(`version 1 published ${thisYear}`));
      const ris = await get(`/datasets/${id}`, 'application/x-research-info-systems');
      expect(ris).toMatch(new RegExp(`^PY {2}- ${year}\\r$`, 'm'));
      expect(ris).toMatch(new RegExp(`^N1 {2}- First released ${first}; version 1 published ${thisYear}`, 'm'));
      const csl = JSON.parse(await get(`/datasets/${id}`, 'application/vnd.citationstyles.csl+json')) as Array<{ issued: { 'date-parts': number[][] } }>;
      expect(csl[0]!.issued['date-parts'][0]![0]).toBe(Number(year));
      const apa = await get(`/datasets/${id}`, 'text/x-bibliography; style=apa');
      expect(apa).toContain(`(${year}`);
    }
    // a dataset released here first keeps its own year
    expect(fieldOf(entryFor(files['bibtex.bib'], 'dendritic-consortium-hydra').body, 'year')).toBe(thisYear);
  });
});
