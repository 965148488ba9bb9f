import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { envSchema } from '@crh/config';
import {
  EVENT_MEANINGS,
  EVENT_TYPES,
  eventDataSchemas,
  eventEnvelopeSchema,
  jsonSchemaDocument,
} from '@crh/domain';
import { relayMessageSchema } from '@crh/event-relay';
import { storedEnvelopeSchema } from '@crh/event-store';
import { openApiDocument } from '@crh/ingest/openapi';
import { schemasReadme } from './schemas-readme.ts';

/** The command that writes the files below; a stale file's test names it. */
export const REGENERATE = 'npm run docs:api';

export const RELAY_TOPIC = envSchema.shape.RELAY_TOPIC.parse(undefined);

export const paths = {
  openapi: 'docs/api/openapi.json',
  schemas: 'docs/schemas',
  envelope: 'docs/schemas/envelope.json',
  storedEnvelope: 'docs/schemas/stored-envelope.json',
  event: (type: string) => `docs/schemas/events/${type}.json`,
  kafkaMessage: `docs/schemas/kafka-${RELAY_TOPIC}.json`,
  readme: 'docs/schemas/README.md',
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Every generated contract file, path (from the repository root) to text,
 * each from the zod schemas the code validates with. Pure: no clock, no
 * environment, no file system.
 */
export function contractFiles(): Map<string, string> {
  const files = new Map<string, string>();
  files.set(paths.openapi, json(openApiDocument()));
  files.set(
    paths.envelope,
    json(
      jsonSchemaDocument(eventEnvelopeSchema, {
        id: 'urn:crh:schema:envelope',
        title: 'crh event envelope, as sent',
        io: 'input',
      }),
    ),
  );
  files.set(
    paths.storedEnvelope,
    json(
      jsonSchemaDocument(storedEnvelopeSchema, {
        id: 'urn:crh:schema:stored-envelope',
        title: 'crh stored event',
        io: 'output',
      }),
    ),
  );
  for (const type of EVENT_TYPES) {
    files.set(
      paths.event(type),
      json(
        jsonSchemaDocument(eventDataSchemas[type], {
          id: `urn:crh:schema:event-data:${type}`,
          title: `${type} data`,
          description: EVENT_MEANINGS[type],
          io: 'input',
        }),
      ),
    );
  }
  files.set(
    paths.kafkaMessage,
    json(
      jsonSchemaDocument(relayMessageSchema, {
        id: `urn:crh:schema:kafka:${RELAY_TOPIC}`,
        title: `A message on the Kafka topic ${RELAY_TOPIC}`,
        description:
          'One recorded event, as a consumer decodes the message: the key and header values as UTF-8 strings, the value as UTF-8 JSON.',
        io: 'output',
      }),
    ),
  );
  files.set(paths.readme, schemasReadme({ topic: RELAY_TOPIC, regenerate: REGENERATE, paths }));
  return files;
}

/** The files now under docs/schemas/ (repository-relative, `/`-separated). */
export function schemaFilesPresent(root: string): string[] {
  return readdirSync(join(root, paths.schemas), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'));
}
