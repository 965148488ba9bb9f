/** The roles a token may carry (docs/access.md). */
export const ROLES = ['account-manager', 'lead', 'analyst', 'ingest', 'admin', 'monitoring'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (name: unknown): name is Role => ROLES.includes(name as Role);

/** Who is calling, from a verified token. */
export interface Principal {
  /** The person or system (the token's `sub`). */
  sub: string;
  roles: ReadonlySet<Role>;
  /** The account manager id of an `account-manager` (CRH_AUTH_MANAGER_CLAIM, default `sub`). */
  managerId: string | null;
}

/**
 * What a caller may do. Routes and fields ask for a permission, never a role,
 * so the table below is the only place that says which role may what.
 */
export type Permission =
  /** Read its own book (account managers). */
  | 'read:own-book'
  /** Read every book and the organisation's figures. */
  | 'read:all'
  /** Record contacts and promises for customers in its book. */
  | 'act:own-book'
  /** Record contacts and promises for any customer. */
  | 'act:any'
  /** POST /v1/events. */
  | 'events:append'
  /** The replay API and a customer's raw events. */
  | 'events:replay'
  /** Rebuilds, erasure, metrics. */
  | 'admin'
  /** GET /metrics of every service, and nothing else: what a scraper such as Prometheus needs. */
  | 'metrics:read';

const GRANTS: Record<Role, readonly Permission[]> = {
  'account-manager': ['read:own-book', 'act:own-book'],
  lead: ['read:all', 'act:any'],
  analyst: ['read:all', 'events:replay'],
  ingest: ['events:append'],
  admin: [
    'read:own-book',
    'read:all',
    'act:own-book',
    'act:any',
    'events:append',
    'events:replay',
    'admin',
    'metrics:read',
  ],
  // A scraper's token: a leaked one shows operating figures, never a customer.
  monitoring: ['metrics:read'],
};

/** A token may carry several roles; it may do what any of them may. */
export function can(principal: Principal, permission: Permission): boolean {
  for (const role of principal.roles) if (GRANTS[role].includes(permission)) return true;
  return false;
}

/**
 * Whose relationships a caller reads: everyone's, one manager's book, or
 * nothing at all (a token with no reading role).
 */
export type Book = { kind: 'all' } | { kind: 'manager'; managerId: string } | { kind: 'none' };

export function bookOf(principal: Principal): Book {
  if (can(principal, 'read:all')) return { kind: 'all' };
  if (can(principal, 'read:own-book') && principal.managerId) {
    return { kind: 'manager', managerId: principal.managerId };
  }
  return { kind: 'none' };
}

/** The caller of CRH_AUTH=off: everything is allowed. */
export const UNCHECKED_ADMIN: Principal = { sub: 'auth-off', roles: new Set(['admin']), managerId: null };
