import type { Registry } from '@crh/observability';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';

/**
 * Request rate, errors and duration per GraphQL operation (name and type),
 * and HTTP duration, into the gateway's registry; served by the gateway's
 * own /metrics (behind a token with metrics:read), not by the plugin's open endpoint.
 * Labels that grow with the schema or the data (field, path) are off: a
 * series per operation is what an operator reads, and Prometheus stays small.
 */
export function useGraphQLMetrics(registry: Registry): Plugin {
  return usePrometheus({
    registry,
    endpoint: false,
    skipIntrospection: true,
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_yoga_http_duration: true,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
    labels: {
      operationName: true,
      operationType: true,
      fieldName: false,
      typeName: false,
      returnType: false,
      path: false,
      phase: true,
      method: true,
      statusCode: true,
      url: false,
    },
  }) as Plugin;
}
