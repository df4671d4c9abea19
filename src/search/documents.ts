/** What search knows about one dataset version (or draft): extracted from its named graph. */
import { NS } from '../model/namespaces.js';
import type { Vocabulary } from '../model/vocabulary.js';
import type { Quad } from '../util/rdf.js';
import { doiOf, words } from './text.js';

export interface Creator { name: string; iri?: string; orcid?: string }

export interface SearchDoc {
  id: string;
  /** 'draft' or the version number. */
  version: number | 'draft';
  /** The graph / subject IRI of this version. */
  subject: string;
  title: string;
  description: string;
  issued?: string;
  species: string[];
  region: string[];
  method: string[];
  modality: string[];
  genes: string[];
  expression: string[];
  compartments: string[];
  tags: string[];
  keywords: string[];
  /** DOIs in lower case (related articles and the dataset's own DOI). */
  publications: string[];
  creators: Creator[];
  identifiers: string[];
  /** Words per field, for matching and ranking. */
  w: { title: string[]; keywords: string[]; terms: string[]; description: string[]; all: string[] };
  /** Folded full text for phrases. */
  text: string;
}

/** Imaging modality, derived from a method's label (no hand-made list of methods). */
export const MODALITIES = [
  { value: 'electron', label: 'electron microscopy (EM)', aliases: ['em', 'electron', 'electron microscopy', 'vem', 'volume em', 'volume electron microscopy'] },
  { value: 'light', label: 'light microscopy (LM)', aliases: ['lm', 'light', 'light microscopy', 'optical', 'fluorescence'] },
  { value: 'x-ray', label: 'X-ray imaging', aliases: ['x-ray', 'xray', 'x ray', 'x-ray imaging', 'x-ray tomography'] },
] as const;

export function modalityOf(vocab: Vocabulary, method: string): string {
  const labels = vocab.labels(method).join(' ').toLowerCase();
  if (/\belectron\b/.test(labels)) return 'electron';
  if (/x-ray/.test(labels)) return 'x-ray';
  return 'light';
}

const P = {
  type: `${NS.rdf}type`, title: `${NS.dcterms}title`, description: `${NS.dcterms}description`, issued: `${NS.dcterms}issued`,
  species: `${NS.syndb}species`, region: `${NS.syndb}brainRegion`, method: `${NS.syndb}microscopyMethod`,
  gm: `${NS.syndb}geneticManipulation`, gene: `${NS.syndb}gene`, expression: `${NS.syndb}expressionKind`,
  compartment: `${NS.syndb}compartment`, tag: `${NS.syndb}tag`, keyword: `${NS.dcat}keyword`,
  isReferencedBy: `${NS.dcterms}isReferencedBy`, references: `${NS.dcterms}references`, doi: `${NS.syndb}doi`,
  creator: `${NS.dcterms}creator`, qa: `${NS.prov}qualifiedAttribution`, agent: `${NS.prov}agent`, position: `${NS.schema}position`,
  name: `${NS.schema}name`, identifier: `${NS.dcterms}identifier`, sourceTable: `${NS.syndb}sourceTable`,
};

/** Extract a SearchDoc from the quads of a version/draft graph. */
export function docFromQuads(vocab: Vocabulary, labelCache: Map<string, string[]>, quads: readonly Quad[], subject: string, id: string, version: number | 'draft'): SearchDoc {
  const idx = new Map<string, Map<string, string[]>>();
  for (const q of quads) {
    let m = idx.get(q.subject.value);
    if (!m) idx.set(q.subject.value, (m = new Map()));
    const l = m.get(q.predicate.value);
    if (l) l.push(q.object.value); else m.set(q.predicate.value, [q.object.value]);
  }
  const vals = (p: string, s = subject) => idx.get(s)?.get(p) ?? [];
  const one = (p: string, s = subject) => vals(p, s)[0];
  const uniq = (a: string[]) => [...new Set(a)];
  const gms = vals(P.gm);
  const order = new Map(vals(P.qa).map((a) => [one(P.agent, a), Number(one(P.position, a) ?? 1e9)]));
  const creators: Creator[] = uniq([...vals(P.creator), ...order.keys()].filter((x): x is string => !!x))
    .sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9))
    .map((a) => ({ name: one(P.name, a) ?? a, iri: a.startsWith('http') && !a.includes('/.well-known/genid/') ? a : undefined, orcid: a.startsWith(NS.orcid) ? a.slice(NS.orcid.length) : undefined }));
  const pubs = uniq([...vals(P.isReferencedBy), ...vals(P.references), ...vals(P.doi)].map((x) => doiOf(x)).filter((x): x is string => !!x));
  const method = vals(P.method);
  const doc: SearchDoc = {
    id, version, subject,
    title: one(P.title) ?? id,
    description: one(P.description) ?? '',
    issued: one(P.issued),
    species: vals(P.species), region: vals(P.region), method,
    modality: uniq(method.map((m) => modalityOf(vocab, m))),
    genes: uniq(gms.flatMap((g) => vals(P.gene, g))),
    expression: uniq(gms.flatMap((g) => vals(P.expression, g))),
    compartments: vals(P.compartment).map((c) => c.slice(c.lastIndexOf('/') + 1)),
    tags: vals(P.tag), keywords: vals(P.keyword), publications: pubs, creators,
    identifiers: uniq([...vals(P.identifier), ...vals(P.sourceTable).flatMap((t) => vals(P.name, t))]),
    w: { title: [], keywords: [], terms: [], description: [], all: [] },
    text: '',
  };
  // Labels of the controlled terms, with the broader regions, so "cortex" or "mouse" find datasets by meaning.
  const termLabels = (t: string, withAncestors: boolean) => {
    const key = `${withAncestors ? 'A' : 'T'}${t}`;
    let l = labelCache.get(key);
    if (!l) {
      l = withAncestors ? [...vocab.ancestors(t)].flatMap((a) => vocab.labels(a)) : vocab.labels(t);
      labelCache.set(key, l);
    }
    return l;
  };
  const terms = [
    ...doc.species.flatMap((t) => termLabels(t, false)), ...doc.region.flatMap((t) => termLabels(t, true)),
    ...doc.method.flatMap((t) => termLabels(t, false)), ...doc.expression.flatMap((t) => termLabels(t, false)),
    ...doc.modality.map((m) => MODALITIES.find((x) => x.value === m)!.label), ...doc.compartments.map((c) => c.replace(/-/g, ' ')),
    ...doc.genes, ...doc.creators.map((c) => c.name), ...doc.identifiers,
  ];
  doc.w.title = uniq(words(doc.title));
  doc.w.keywords = uniq(words([...doc.keywords, ...doc.tags].join(' ')));
  doc.w.terms = uniq(words(terms.join(' ')));
  doc.w.description = uniq(words(doc.description));
  doc.w.all = uniq([...doc.w.title, ...doc.w.keywords, ...doc.w.terms, ...doc.w.description]);
  doc.text = ` ${[doc.title, doc.description, ...doc.keywords, ...doc.tags, ...terms].map((s) => words(s).join(' ')).join(' | ')} `;
  return doc;
}
