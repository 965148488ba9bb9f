import { writeFileSync } from 'node:fs';
import { printedSchema } from './schema/index.ts';

writeFileSync(new URL('../schema.graphql', import.meta.url), printedSchema());
console.log('wrote services/gateway/schema.graphql');
