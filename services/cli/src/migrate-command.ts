import type { PlatformConfig } from '@crh/config';
import { createPgPool } from '@crh/postgres';
import { openPlatformDatabase } from './platform/platform-database.ts';
import {
  migrateDatabase,
  ROLE_SERVICES,
  rolePasswordsFrom,
  serviceRoleNames,
  setUpServiceRoles,
} from './platform/service-roles.ts';

const log = (line: string) => console.log(`[crh migrate] ${line}`);

export interface MigrateFlags {
  /** false (`--no-roles`): the migrations only, no service roles or grants. */
  roles?: boolean;
}

/**
 * `crh migrate [--no-roles]`: as the owner (DATABASE_URL; unset, the
 * embedded PostgreSQL), applies every migration, then sets up the services'
 * roles (CRH_DB_ROLE_PREFIX) with exactly what each needs, and the passwords
 * CRH_DB_<SERVICE>_PASSWORD gives. Run it before the services start and after
 * every upgrade; running it again changes nothing. Returns the exit code.
 */
export async function migrateCommand(config: PlatformConfig, flags: MigrateFlags): Promise<number> {
  const database = await openPlatformDatabase(config, log, 'crh', true);
  const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-migrate' });
  try {
    await migrateDatabase(pool, config.env.EVENT_STORE);
    const { rows } = await pool.query<{ role: string }>('select current_user as role');
    log(`schema up to date (database: ${database.description}, as ${rows[0]?.role})`);
    if (flags.roles === false) return 0;
    const roles = serviceRoleNames(config.env.CRH_DB_ROLE_PREFIX);
    const passwords = rolePasswordsFrom(config.env);
    await setUpServiceRoles(pool, roles, passwords);
    for (const service of ROLE_SERVICES) {
      const password = passwords[service] ? 'password set' : 'password unchanged';
      log(`${service}: role ${roles[service]} granted what it needs (${password})`);
    }
    return 0;
  } finally {
    await pool.end();
    await database.stop();
  }
}
