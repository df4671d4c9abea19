/** Who makes a request, and the roles a bearer token can carry (service/tokens.ts issues them). */
export const ROLES = ['admin', 'curator', 'contributor', 'reader'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  user?: string;
  role: Role | 'anonymous';
}
export const ANONYMOUS: Caller = { role: 'anonymous' };
