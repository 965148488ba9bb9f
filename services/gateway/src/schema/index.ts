import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from '../builder.ts';
import './scalars.ts';
import './page-info.ts';
import './recorded-event.ts';
import './relationship.ts';
import './timeline.ts';
import './health.ts';
import './status-history.ts';
import './nps-answers.ts';
import './relationship-lists.ts';
import './todays-calls.ts';
import './daily-kpis.ts';
import './complaints.ts';
import './promises.ts';
import './nps-fans-outliers.ts';
import './manager-books.ts';
import './organisation.ts';
import './viewer.ts';
import './subscriptions.ts';
import './mutations.ts';

export const schema = builder.toSchema();

/** The SDL checked in as schema.graphql, so reviews see every API change. */
export const printedSchema = (): string => `${printSchema(lexicographicSortSchema(schema))}\n`;
