import { describe, expect, it } from 'vitest';
import { serviceNameFor, tracingRequested } from './tracing-switch.ts';

describe('whether a process traces', () => {
  it('is off without an OTLP endpoint, or with an empty one', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_SERVICE_NAME: 'x' })).toBe(false);
  });

  it('is on with either endpoint', () => {
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(
      true,
    );
  });

  it('is off when OTEL_SDK_DISABLED is true, whatever the endpoint', () => {
    expect(
      tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' }),
    ).toBe(false);
    expect(
      tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }),
    ).toBe(true);
  });
});

describe('the default service name', () => {
  it('comes from the entry script', () => {
    expect(serviceNameFor('/app/services/ingest/src/main.ts')).toBe('crh-ingest');
    expect(serviceNameFor('C:\\crh\\services\\projector\\src\\main.ts')).toBe('crh-projector');
    expect(serviceNameFor('/app/scripts/other.ts')).toBe('crh');
    expect(serviceNameFor(undefined)).toBe('crh');
  });
});
