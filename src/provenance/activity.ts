/**
 * PROV-O records of changes: who (the token's user), when (start/end), from what (inputs with
 * SHA-256), what was generated and invalidated. Shape: shapes/provenance.ttl.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Quad } from '../util/rdf.js';
import { df, iri, lit, typed, RDF_TYPE } from '../util/rdf.js';
import { NS } from '../model/namespaces.js';
import type { Iris } from '../model/iris.js';

export const SPDX_TERMS = 'http://spdx.org/rdf/terms#';

export type ActivityKind = 'Create' | 'Edit' | 'Publish' | 'TableUpload' | 'AssetUpload' | 'Withdrawal' | 'SparqlUpdate' | 'Delete' | 'Import' | 'DoiRegistration';

export interface ActivityInput {
  /** Raw bytes or text of what was used; its SHA-256 is recorded. */
  content?: string | Buffer;
  sha256?: string;
  mediaType?: string;
  /** An existing entity that was used (e.g. the draft being published). */
  entity?: string;
  /**
   * The input is the state of this (changing) entity at the time of the activity, e.g. the draft
   * as it was published: recorded as its own entity `prov:specializationOf` the given IRI, so the
   * checksum belongs to that state and not to the entity that keeps changing.
   */
  snapshotOf?: string;
  label?: string;
  byteSize?: number;
}

export interface ActivitySpec {
  kind: ActivityKind;
  user: string;
  startedAt: Date;
  endedAt?: Date;
  used?: ActivityInput[];
  generated?: string[];
  invalidated?: string[];
  label?: string;
  /** The dataset this change belongs to (the activity is linked with prov:wasInfluencedBy… not needed: generated/invalidated name it). */
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function activityQuads(iris: Iris, spec: ActivitySpec, uuid: string = randomUUID()): { iri: string; quads: Quad[] } {
  const A = iri(iris.activity(uuid));
  const P = (ns: keyof typeof NS, l: string) => iri(NS[ns] + l);
  const quads: Quad[] = [];
  const add = (s: Quad['subject'], p: Quad['predicate'], o: Quad['object']) => quads.push(df.quad(s, p, o));
  add(A, RDF_TYPE, P('prov', 'Activity'));
  add(A, RDF_TYPE, P('syndb', spec.kind));
  add(A, P('rdfs', 'label'), lit(spec.label ?? `${spec.kind} by ${spec.user}`));
  const agent = iri(iris.agent(spec.user));
  add(A, P('prov', 'wasAssociatedWith'), agent);
  add(agent, RDF_TYPE, P('prov', 'Agent'));
  add(agent, RDF_TYPE, P('foaf', 'OnlineAccount'));
  add(agent, P('foaf', 'accountName'), lit(spec.user));
  add(A, P('prov', 'startedAtTime'), typed(spec.startedAt.toISOString(), 'dateTime'));
  add(A, P('prov', 'endedAtTime'), typed((spec.endedAt ?? new Date()).toISOString(), 'dateTime'));
  (spec.used ?? []).forEach((u, i) => {
    const E = u.entity ? iri(u.entity) : iri(`${A.value}/input/${i + 1}`);
    add(A, P('prov', 'used'), E);
    add(E, RDF_TYPE, P('prov', 'Entity'));
    if (u.snapshotOf && !u.entity) add(E, P('prov', 'specializationOf'), iri(u.snapshotOf));
    const digest = u.sha256 ?? (u.content !== undefined ? sha256(u.content) : undefined);
    if (digest) {
      const C = iri(`${A.value}/input/${i + 1}/checksum`);
      add(E, iri(SPDX_TERMS + 'checksum'), C);
      add(C, RDF_TYPE, iri(SPDX_TERMS + 'Checksum'));
      add(C, iri(SPDX_TERMS + 'algorithm'), iri(SPDX_TERMS + 'checksumAlgorithm_sha256'));
      add(C, iri(SPDX_TERMS + 'checksumValue'), typed(digest, 'hexBinary'));
    }
    if (u.mediaType) add(E, P('dcterms', 'format'), lit(u.mediaType));
    const size = u.byteSize ?? (u.content !== undefined ? Buffer.byteLength(u.content) : undefined);
    if (size !== undefined) add(E, P('dcat', 'byteSize'), typed(size, 'nonNegativeInteger'));
    if (u.label) add(E, P('rdfs', 'label'), lit(u.label));
  });
  for (const g of spec.generated ?? []) {
    add(A, P('prov', 'generated'), iri(g));
    add(iri(g), P('prov', 'wasGeneratedBy'), A);
  }
  for (const g of spec.invalidated ?? []) {
    add(A, P('prov', 'invalidated'), iri(g));
    add(iri(g), P('prov', 'wasInvalidatedBy'), A);
  }
  return { iri: A.value, quads };
}
