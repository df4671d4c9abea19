/** A problem with user input, in the shape INTERFACE.md promises for 422 replies. */
export interface Problem {
  /** Where: a JSON field path (`creators[0].orcid`) or an RDF property path (CURIE). */
  path: string;
  value?: string;
  message: string;
  focusNode?: string;
  severity: 'Violation' | 'Warning' | 'Info';
  /** Closest known terms, for unknown vocabulary values. */
  suggestions?: { iri: string; label: string; curie?: string }[];
  /** The SHACL constraint component, when the problem comes from validation. */
  constraint?: string;
}

/** Thrown for input that cannot be accepted; carries every problem found. */
export class InputError extends Error {
  constructor(readonly title: string, readonly problems: Problem[], readonly status = 422, readonly report?: string) {
    super(`${title}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'InputError';
  }
}

/** The resource asked for does not exist or is not visible to the caller (404). */
export class NotFoundError extends Error { constructor(m: string) { super(m); this.name = 'NotFoundError'; } }
/** The request contradicts the resource's state (409). */
export class ConflictError extends Error { constructor(m: string) { super(m); this.name = 'ConflictError'; } }
/** The caller may not do this (401 without credentials, else 403). */
export class ForbiddenError extends Error { constructor(m: string, readonly status: 401 | 403 = 403) { super(m); this.name = 'ForbiddenError'; } }
