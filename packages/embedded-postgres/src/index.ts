export { reachableByOthers } from './binaries.ts';
export {
  type EmbeddedServer,
  ensureDatabase,
  recreateDatabase,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
} from './persistent-server.ts';
export { startThrowawayPostgres } from './throwaway-server.ts';
