export * from './port.ts';
export { toEnvelope } from './stored-envelope.ts';
