export * from './port.ts';
export { readAhead, readToEnd } from './read-ahead.ts';
export { ndjsonLines, replayEnd, replayThroughReadAll } from './replay-lines.ts';
export { sealedEnvelopeSchema, sealedValueSchema } from './sealed-envelope-schema.ts';
export { toEnvelope } from './stored-envelope.ts';
export {
  POSITION_PATTERN,
  positionSchema,
  revisionSchema,
  storedEnvelopeSchema,
  storedEventIdSchema,
} from './stored-envelope-schema.ts';
export { activeTraceContext, rememberTraceContext, traceContextOf, traceLinksOf } from './trace-context.ts';
