/** Minting the IRIs of docs/graph-model.md from the configured base. */
export const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export class Iris {
  readonly base: string;
  constructor(base: string) {
    this.base = base.replace(/\/+$/, '');
  }
  concept(id: string) { return `${this.base}/datasets/${id}`; }
  draft(id: string) { return `${this.base}/datasets/${id}/draft`; }
  version(id: string, n: number) { return `${this.base}/datasets/${id}/versions/${n}`; }
  table(id: string, n: number | 'draft', compartment: string) {
    return `${n === 'draft' ? this.draft(id) : this.version(id, n)}/tables/${compartment}`;
  }
  get provenanceGraph() { return `${this.base}/graphs/provenance`; }
  get ontologyGraph() { return `${this.base}/graphs/ontology`; }
  get systemGraph() { return `${this.base}/graphs/system`; }
  activity(uuid: string) { return `${this.base}/activities/${uuid}`; }
  agent(user: string) { return `${this.base}/users/${encodeURIComponent(user)}`; }
  collection(id: string) { return `${this.base}/collections/${id}`; }

  /** Parse a dataset-related IRI minted here: { id, version?: number|'draft' }. */
  parse(iriValue: string): { id: string; version?: number | 'draft'; rest?: string } | undefined {
    const prefix = `${this.base}/datasets/`;
    if (!iriValue.startsWith(prefix)) return undefined;
    const m = /^([a-z0-9][a-z0-9-]{1,62})(?:\/(draft|versions\/(\d+)))?(\/.*|#.*)?$/.exec(iriValue.slice(prefix.length));
    if (!m) return undefined;
    const version = m[2] === 'draft' ? 'draft' as const : m[3] !== undefined ? Number(m[3]) : undefined;
    return { id: m[1], version, rest: m[4] };
  }
}

/** A slug from a title: lower-case ASCII words joined by '-', at most 48 characters. */
export function slugify(title: string): string {
  const s = title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
  return s.length >= 2 ? s : `dataset-${s || 'x'}`;
}
