// The projector's loop: follows the log, turns the day, rebuilds when the rules changed.

export {
  listParked,
  type ParkedDeps,
  type ParkedEvent,
  type RetryOutcome,
  retryParked,
  skipParked,
} from './parked-events.ts';
export { measureProjectionLag, type ProjectionLag } from './projection-lag.ts';
export {
  createProjector,
  type Projector,
  type ProjectorDeps,
  type RunnerLogger,
} from './projection-runner.ts';
