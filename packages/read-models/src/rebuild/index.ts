// Rebuilds into shadow tables (blue/green): load, index, swap.
export { type BuildResult, buildRelationships } from './relationship-build.ts';
