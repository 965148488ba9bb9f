export * from './port.ts';
export { ndjsonLines, replayThroughReadAll } from './replay-lines.ts';
export { toEnvelope } from './stored-envelope.ts';
