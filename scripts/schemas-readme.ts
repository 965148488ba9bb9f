import { EVENT_MEANINGS, EVENT_TYPES, MAX_EVENTS_PER_REQUEST, MAX_METADATA_BYTES } from '@crh/domain';

interface ReadmeInput {
  topic: string;
  regenerate: string;
  paths: { schemas: string; kafkaMessage: string; event: (type: string) => string };
}

/** The index of docs/schemas, generated with the files so its list is never behind them. */
export function schemasReadme({ topic, regenerate, paths }: ReadmeInput): string {
  const here = (path: string) => path.slice(paths.schemas.length + 1);
  const kafka = here(paths.kafkaMessage);
  const eventRows = EVENT_TYPES.map(
    (type) => `| [${type}](${here(paths.event(type))}) | ${EVENT_MEANINGS[type]} |`,
  );
  return `# JSON Schemas of crh's events

Generated from the zod schemas the platform validates with; do not edit them
by hand. \`${regenerate}\` writes them again (and the OpenAPI document of the
REST API, [../api/openapi.json](../api/openapi.json)), and a unit test
(\`scripts/contract-files.unit.test.ts\`) fails while a file here differs from
what the code generates.

Every file is JSON Schema draft 2020-12 and self-contained: the parts it names
are under \`$defs\`, and its \`$id\` is a \`urn:crh:schema:…\` name.

| file | describes | for |
| --- | --- | --- |
| [envelope.json](envelope.json) | one event as a client sends it in \`POST /v1/events\` (\`{"events": [...]}\` holds 1 to ${MAX_EVENTS_PER_REQUEST} of them); its \`data\` by its \`type\` | producers |
| [stored-envelope.json](stored-envelope.json) | a recorded event as every reader gets it: one line of the replay (\`GET /v1/events\`, NDJSON), one element of a stream read (\`GET /v1/customers/{customerId}/events\`), the value of a Kafka message; the envelope plus \`recordedAt\`, \`position\` and \`revision\` | data teams |
| [${kafka}](${kafka}) | a message on the Kafka topic \`${topic}\`: key (the customerId), value (a stored envelope), headers (\`type\`, \`position\`, \`id\`, \`occurredAt\`) and timestamp (\`recordedAt\` in epoch milliseconds) | Kafka consumers |
| \`events/<type>.json\` | the \`data\` of one event type, as sent (below) | both |

## Event types

| type | what happened |
| --- | --- |
${eventRows.join('\n')}

## Sent and stored

A stored event is its envelope as validated, so it is stricter than what a
client may send: the id is lower case, \`occurredAt\` and every instant in
\`data\` are UTC with milliseconds (\`2026-03-01T09:15:00.000Z\`), and
defaults are filled in (\`CustomerOnboarded\` always has a \`tier\`). Every
stored \`data\` still matches its \`events/<type>.json\`; \`stored-envelope.json\`
has the stricter form of each under \`$defs\`. Optional fields are absent,
never \`null\`.

## What a schema cannot say

The platform checks a little more than JSON Schema can express:

- Instants must be on a real calendar date in the years 0001-9999
  (\`2026-02-30T10:00:00Z\` matches the pattern and is refused).
- \`metadata\` must be at most ${MAX_METADATA_BYTES} bytes as UTF-8 JSON.
- Lengths are counted in UTF-16 code units, JSON Schema counts code points: a
  text of emoji close to its \`maxLength\` can pass a JSON Schema validator and
  still be refused.

## Validating with ajv

\`format\` (\`uuid\`, \`date-time\`) needs ajv-formats:

\`\`\`js
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const isStoredEvent = ajv.compile(JSON.parse(readFileSync('docs/schemas/stored-envelope.json', 'utf8')));
// An analyst's token: \`npm run -s crh -- token --role analyst\` (see docs/access.md).
const headers = { authorization: \`Bearer \${process.env.CRH_TOKEN}\` };
const ndjson = await (await fetch('http://localhost:4001/v1/events?limit=1000', { headers })).text();
for (const line of ndjson.split('\\n').filter(Boolean)) {
  if (!isStoredEvent(JSON.parse(line))) console.error(isStoredEvent.errors);
}
\`\`\`
`;
}
