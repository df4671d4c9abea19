/**
 * A client of the DataCite REST API for DOIs (https://support.datacite.org/docs/api-create-dois,
 * https://support.datacite.org/reference/post_dois): JSON:API documents of type "dois",
 * `POST /dois` (create: a draft, or with `event` registered / findable), `PUT /dois/{doi}`
 * (metadata and state: events `register`, `publish`, `hide`), `GET /dois/{doi}`, `DELETE /dois/{doi}`
 * (drafts only), HTTP Basic authentication with the repository id and password.
 * One job: speak the protocol. What to register when is src/service/doi-registrar.ts.
 */

export const JSONAPI = 'application/vnd.api+json';

export type DoiState = 'draft' | 'registered' | 'findable';
export type DoiEvent = 'register' | 'publish' | 'hide';

export interface DataCiteAccount { url: string; user: string; password: string; timeoutMs?: number }

/** What DataCite answered about a DOI. */
export interface DoiResource { doi: string; state: DoiState; url?: string; attributes: Record<string, unknown> }

/**
 * A request DataCite did not carry out. `retryable`: the same request may succeed later (no
 * answer, 408, 429, 5xx); otherwise DataCite refused it (401/403: credentials, 422: metadata),
 * which retrying as is cannot fix, though the metadata or account may change.
 */
export class DataCiteError extends Error {
  constructor(message: string, readonly status: number | undefined, readonly retryable: boolean, readonly errors: Array<{ status?: string; title?: string; source?: string }> = []) {
    super(message);
    this.name = 'DataCiteError';
  }
}

/** DataCite DOIs are case-insensitive and stored upper-case; compare them so. */
export const sameDoi = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

/** `/dois/{prefix}/{suffix}` as DataCite's documentation writes it (each segment percent-encoded, the slash kept). */
const doiPath = (doi: string) => `/dois/${doi.split('/').map(encodeURIComponent).join('/')}`;

export class DataCiteClient {
  private readonly auth: string;
  constructor(private readonly account: DataCiteAccount, private readonly fetchImpl: typeof fetch = fetch) {
    this.auth = `Basic ${Buffer.from(`${account.user}:${account.password}`).toString('base64')}`;
  }

  private async request(method: string, path: string, body?: unknown): Promise<{ status: number; json?: Record<string, any> }> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.account.url}${path}`, {
        method,
        headers: { authorization: this.auth, accept: JSONAPI, ...(body !== undefined ? { 'content-type': JSONAPI } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.account.timeoutMs ?? 30_000),
        redirect: 'error',
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === 'TimeoutError' ? `no answer within ${this.account.timeoutMs ?? 30_000} ms` : err.cause?.code ?? err.cause?.message ?? err.message;
      throw new DataCiteError(`DataCite (${this.account.url}) could not be reached: ${why}`, undefined, true);
    }
    const text = await res.text().catch(() => '');
    let json: Record<string, any> | undefined;
    try { json = text ? JSON.parse(text) as Record<string, any> : undefined; } catch { json = undefined; }
    if (res.status >= 200 && res.status < 300) return { status: res.status, json };
    const errors = Array.isArray(json?.errors) ? (json!.errors as Array<{ status?: string; title?: string; source?: string }>) : [];
    const detail = errors.map((x) => (x.source ? `${x.source}: ${x.title}` : x.title)).filter(Boolean).join('; ') || text.slice(0, 300) || res.statusText;
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new DataCiteError(`DataCite answered ${res.status} to ${method} ${path}: ${detail}`, res.status, retryable, errors);
  }

  private resource(json: Record<string, any> | undefined, doi: string): DoiResource {
    const a = (json?.data?.attributes ?? {}) as Record<string, unknown>;
    const state = a.state;
    if (state !== 'draft' && state !== 'registered' && state !== 'findable') throw new DataCiteError(`DataCite's answer about ${doi} has no state`, undefined, true);
    return { doi: String(a.doi ?? json?.data?.id ?? doi), state, url: typeof a.url === 'string' ? a.url : undefined, attributes: a };
  }

  /** The DOI's record, or undefined when DataCite does not know it (404). */
  async get(doi: string): Promise<DoiResource | undefined> {
    try {
      return this.resource((await this.request('GET', doiPath(doi))).json, doi);
    } catch (e) {
      if (e instanceof DataCiteError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Create the DOI (`attributes.doi` names it): a draft, or registered / findable with `event`. */
  async create(doi: string, attributes: Record<string, unknown>, event?: DoiEvent): Promise<DoiResource> {
    const body = { data: { type: 'dois', attributes: { ...attributes, doi, ...(event ? { event } : {}) } } };
    return this.resource((await this.request('POST', '/dois', body)).json, doi);
  }

  /** Update the DOI's metadata and, with `event`, its state. */
  async update(doi: string, attributes: Record<string, unknown>, event?: DoiEvent): Promise<DoiResource> {
    const body = { data: { id: doi, type: 'dois', attributes: { ...attributes, ...(event ? { event } : {}) } } };
    return this.resource((await this.request('PUT', doiPath(doi), body)).json, doi);
  }

  /** Delete a draft DOI (DataCite deletes nothing else); true when it was there. */
  async deleteDraft(doi: string): Promise<boolean> {
    try {
      await this.request('DELETE', doiPath(doi));
      return true;
    } catch (e) {
      if (e instanceof DataCiteError && e.status === 404) return false;
      throw e;
    }
  }
}
