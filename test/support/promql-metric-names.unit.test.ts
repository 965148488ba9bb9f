import { describe, expect, it } from 'vitest';
import { dashboardExpressions, promqlLabelNames, promqlMetricNames } from './promql-metric-names.ts';

describe('promqlMetricNames', () => {
  it.each([
    ['crh_projection_lag_events', ['crh_projection_lag_events']],
    ['up{job=~"ingest|gateway"}', ['up']],
    [
      'histogram_quantile(0.95, sum by (le, route) (rate(crh_http_request_duration_seconds_bucket{service="ingest", status=~"5.."}[$__rate_interval])))',
      ['crh_http_request_duration_seconds_bucket'],
    ],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable, not a template
      'sum without (instance) (rate(graphql_envelop_error_result[5m] offset 1h)) / ignoring(phase) group_left sum(rate(graphql_envelop_request[${__rate_interval}]))',
      ['graphql_envelop_error_result', 'graphql_envelop_request'],
    ],
    [
      'crh_pg_pool_connections{state="active"} / on (service) crh_pg_pool_max_connections > bool 0.8',
      ['crh_pg_pool_connections', 'crh_pg_pool_max_connections'],
    ],
    ['label_replace(a_metric, "dst", "$1", "src", "(.*)") or vector(0)', ['a_metric']],
    ['1e3 * rate(x_total[1m])', ['x_total']],
  ])('%s reads %j', (expr, names) => {
    expect(promqlMetricNames(expr)).toEqual(names);
  });
});

describe('promqlLabelNames', () => {
  it('names the labels of matchers and of by/without/on lists, not the values matched', () => {
    expect(
      promqlLabelNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(h_bucket{service="ingest", status=~"5..,x"}[1m]))) / on(service) m{state!="a=b"}',
      ),
    ).toEqual(['le', 'route', 'service', 'state', 'status']);
    expect(promqlLabelNames('up')).toEqual([]);
  });
});

describe('dashboardExpressions', () => {
  it('finds the expressions of panels, of panels inside rows, and of query variables', () => {
    const dashboard = {
      panels: [
        { targets: [{ expr: 'a' }, { expr: 'b' }] },
        { type: 'row', panels: [{ targets: [{ expr: 'c' }] }] },
      ],
      templating: { list: [{ type: 'query', query: { query: 'label_values(d, service)' } }] },
    };
    expect(dashboardExpressions(dashboard)).toEqual(['a', 'b', 'c', 'label_values(d, service)']);
  });
});
