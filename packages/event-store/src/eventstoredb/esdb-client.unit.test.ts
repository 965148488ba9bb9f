import { describe, expect, it } from 'vitest';
import { toEsdbConnectionString } from './esdb-client.ts';

describe('connection strings for db-client 6', () => {
  it('accepts the KurrentDB schemes as esdb ones', () => {
    expect(toEsdbConnectionString('kurrentdb://localhost:2113?tls=false')).toBe(
      'esdb://localhost:2113?tls=false',
    );
    expect(toEsdbConnectionString('kurrentdb+discover://a:2113,b:2113')).toBe(
      'esdb+discover://a:2113,b:2113',
    );
    expect(toEsdbConnectionString('kdb://h:1')).toBe('esdb://h:1');
    expect(toEsdbConnectionString('esdb://admin:changeit@h:2113')).toBe('esdb://admin:changeit@h:2113');
  });
});
