/**
 * CitationRecords from the stored graph of a dataset version (docs/graph-model.md): authors in
 * the order of prov:qualifiedAttribution / schema:position, year from dcterms:issued, version from
 * dcat:version, DOI from syndb:doi, landing page = the version IRI. Nothing comes from the clock.
 * The key is disambiguated by the dataset id (the last segment of dcterms:isVersionOf), so keys
 * are unique across the service. The articles the dataset supplements (dcterms:isReferencedBy)
 * are named in a note. A dataset first released elsewhere is cited with that release: the
 * earliest of the publication dates of the articles it supplements and the materialization
 * times of its source tables, when before the version's own date.
 */
import type { Quad } from '../../util/rdf.js';
import { NS } from '../../model/namespaces.js';
import type { CitationAuthor, CitationRecord } from './record.js';
import { looksLikeOrganisation } from './names.js';

export interface FromGraphOptions {
  publisher: string;
  /** The landing page to cite when there is no DOI (default: the subject IRI). */
  url?: string;
  withdrawn?: { date?: string; reason?: string };
  /** The DOI registered for the subject at DataCite (src/publish/dois.ts), used when the graph names none (syndb:doi). */
  doi?: string;
  accessed?: string;
}

export function datasetCitation(quads: readonly Quad[], subject: string, opt: FromGraphOptions): CitationRecord {
  const values = (s: string, p: string) => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value);
  const one = (s: string, p: string) => values(s, p)[0];
  const types = (s: string) => values(s, `${NS.rdf}type`);
  const attributions = values(subject, `${NS.prov}qualifiedAttribution`)
    .map((a) => ({ pos: Number(one(a, `${NS.schema}position`) ?? Number.MAX_SAFE_INTEGER), agent: one(a, `${NS.prov}agent`) }))
    .filter((a) => a.agent)
    .sort((a, b) => a.pos - b.pos);
  const agents = attributions.length ? attributions.map((a) => a.agent!) : values(subject, `${NS.dcterms}creator`);
  const authors: CitationAuthor[] = agents.map((agent) => {
    const t = types(agent);
    const name = one(agent, `${NS.schema}name`) ?? one(agent, `${NS.foaf}name`) ?? agent;
    const isOrg = t.includes(`${NS.schema}Organization`) || t.includes(`${NS.foaf}Organization`);
    // an organisation, also one uploaded as a plain name ("Dendritic Consortium"): one literal name, never split
    if (isOrg || (!agent.startsWith(NS.orcid) && looksLikeOrganisation(name))) return { literal: name };
    const family = one(agent, `${NS.schema}familyName`);
    const given = one(agent, `${NS.schema}givenName`);
    const orcid = agent.startsWith(NS.orcid) ? agent.slice(NS.orcid.length) : undefined;
    return family ? { family, given, orcid } : { literal: name, orcid };
  });
  const doi = one(subject, `${NS.syndb}doi`) ?? opt.doi;
  const concept = one(subject, `${NS.dcterms}isVersionOf`);
  const supplements = values(subject, `${NS.dcterms}isReferencedBy`);
  const doiOf = (p: string) => one(p, `${NS.dcterms}identifier`) ?? (p.startsWith(NS.doi) ? decodeURIComponent(p.slice(NS.doi.length)) : undefined);
  const issued = one(subject, `${NS.dcterms}issued`);
  const earlier = [
    ...supplements.map((p) => one(p, `${NS.schema}datePublished`)),
    ...values(subject, `${NS.syndb}sourceTable`).map((t) => one(t, `${NS.syndb}materializationTimestamp`)),
  ].filter((d): d is string => !!d && /^\d{4}/.test(d)).map((d) => d.slice(0, 10)).sort()[0];
  const originalRelease = earlier && (!issued || earlier < issued.slice(0, earlier.length)) ? earlier : undefined;
  return {
    kind: 'dataset',
    title: one(subject, `${NS.dcterms}title`) ?? subject,
    authors,
    issued,
    ...(originalRelease ? { originalRelease } : {}),
    ...(concept ? { disambiguator: concept.replace(/\/+$/, '').split('/').pop() } : {}),
    ...(supplements.length ? { supplementTo: supplements.map(doiOf).filter((d): d is string => !!d) } : {}),
    version: one(subject, `${NS.dcat}version`),
    publisher: opt.publisher,
    doi,
    url: opt.url ?? subject,
    accessed: opt.accessed,
    withdrawn: opt.withdrawn,
    abstract: one(subject, `${NS.dcterms}description`),
    keywords: values(subject, `${NS.dcat}keyword`),
    language: 'en',
  };
}
