import { dataDir } from './data-dir.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

const pg = await startEmbeddedPostgres(dataDir(), 54329, console.log);
console.log('up');
await new Promise((r) => setTimeout(r, 3_600_000));
await pg.stop();
