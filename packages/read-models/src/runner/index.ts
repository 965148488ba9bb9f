// The projector's loop: follows the log, turns the day, rebuilds when the rules changed.
export { measureProjectionLag, type ProjectionLag } from './projection-lag.ts';
export {
  createProjector,
  type Projector,
  type ProjectorDeps,
  type RunnerLogger,
} from './projection-runner.ts';
