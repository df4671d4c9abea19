/**
 * CitationRecords from the stored graph of a dataset version (docs/graph-model.md): authors in
 * the order of prov:qualifiedAttribution / schema:position, year from dcterms:issued, version from
 * dcat:version, DOI from syndb:doi, landing page = the version IRI. Nothing comes from the clock.
 */
import type { Quad } from '../../util/rdf.js';
import { NS } from '../../model/namespaces.js';
import type { CitationAuthor, CitationRecord } from './record.js';

export interface FromGraphOptions {
  publisher: string;
  /** The landing page to cite when there is no DOI (default: the subject IRI). */
  url?: string;
  withdrawn?: { date?: string; reason?: string };
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
    if (isOrg) return { literal: name };
    const family = one(agent, `${NS.schema}familyName`);
    const given = one(agent, `${NS.schema}givenName`);
    const orcid = agent.startsWith(NS.orcid) ? agent.slice(NS.orcid.length) : undefined;
    return family ? { family, given, orcid } : { literal: name, orcid };
  });
  const doi = one(subject, `${NS.syndb}doi`);
  return {
    kind: 'dataset',
    title: one(subject, `${NS.dcterms}title`) ?? subject,
    authors,
    issued: one(subject, `${NS.dcterms}issued`),
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
