// What the gateway asks of the read models. Reads only: nothing here writes.
export { type DailyKpis, dailyKpis } from './daily-kpi-queries.ts';
export {
  type ManagerBook,
  type MeasuredSubject,
  type Measurement,
  type MeasureOptions,
  managerBooks,
  measure,
  OUTLIER_METRICS,
  OUTLIER_SUBJECT,
  type OutlierMetric,
} from './outlier-queries.ts';
export {
  type CustomerComplaintFilter,
  type CustomerPromiseFilter,
  complaintsOfCustomers,
  type NpsAnswerRow,
  npsAnswersOfCustomers,
  promisesOfCustomers,
  type StatusStretch,
  statusStretchesOfCustomers,
} from './per-customer-queries.ts';
export {
  countRelationships,
  intervalsOf,
  managersOn,
  type PageCursor,
  type PageOptions,
  type RelationshipFilter,
  relationshipOn,
  relationshipsPage,
} from './relationship-queries.ts';
export {
  type ComplaintCursor,
  type ComplaintFilter,
  type ComplaintRowOut,
  complaintsPage,
  type FanRow,
  fansOn,
  type NpsGrouping,
  type NpsGroupRow,
  npsByGroup,
  type PromiseCursor,
  type PromiseFilter,
  type PromiseRowOut,
  promisesPage,
} from './signal-queries.ts';
