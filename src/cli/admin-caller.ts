/** The caller of commands that act on the local data directory: its owner, as admin (SYNDB_USER or the login name). */
import { cliUser } from '../util/env.js';

export const ADMIN = { user: cliUser(), role: 'admin' as const };
