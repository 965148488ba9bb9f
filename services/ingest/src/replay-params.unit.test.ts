import { describe, expect, it } from 'vitest';
import { ProblemError } from './problem-details.ts';
import { replayOptions } from './replay-params.ts';

const problemsOf = (query: Record<string, unknown>) => {
  try {
    replayOptions(query);
  } catch (error) {
    if (error instanceof ProblemError) return error.problem;
    throw error;
  }
  throw new Error('expected the parameters to be refused');
};

describe('the replay query string', () => {
  it('turns every parameter into its option', () => {
    expect(
      replayOptions({
        after: '00000000000000010000000000000002',
        upTo: '7fffffffffffffff7fffffffffffffff',
        from: '2026-03-01T10:00:00+01:00',
        to: '2026-03-01 10:00:00.5z',
        types: ' ContactLogged ,, NpsResponded,',
        customerId: 'cust-0042',
        limit: '9007199254740991',
      }),
    ).toEqual({
      after: '00000000000000010000000000000002',
      upTo: '7fffffffffffffff7fffffffffffffff',
      from: new Date('2026-03-01T09:00:00.000Z'),
      to: new Date('2026-03-01T10:00:00.500Z'),
      types: ['ContactLogged', 'NpsResponded'],
      customerId: 'cust-0042',
      limit: Number.MAX_SAFE_INTEGER,
    });
  });

  it('reads an empty types as every type, and nothing as no filter at all', () => {
    expect(replayOptions({ types: '' })).toEqual({ after: undefined, upTo: undefined, types: [] });
    expect(replayOptions({})).toEqual({ after: undefined, upTo: undefined });
  });

  it('reports every problem at once, in parameter order, each in its own words', () => {
    expect(
      problemsOf({
        colour: 'red',
        after: '8'.repeat(32),
        upTo: ['00000000000000010000000000000002', '00000000000000010000000000000003'],
        from: '2026-02-30T10:00:00Z',
        to: 'yesterday',
        types: 'ContactLoged,NpsResponded,Foo',
        customerId: 'has space',
        limit: '9007199254740992',
      }),
    ).toEqual({
      type: 'urn:crh:problem:validation-failed',
      title: 'Invalid replay parameters',
      status: 400,
      detail: '8 problem(s) found',
      errors: [
        {
          parameter: 'colour',
          message: 'unknown parameter (known: after, upTo, from, to, types, customerId, limit)',
        },
        { parameter: 'after', message: 'must be a position as the API returns it (32 hex digits)' },
        { parameter: 'upTo', message: 'must be given once' },
        { parameter: 'from', message: 'must be an RFC 3339 instant with offset' },
        { parameter: 'to', message: 'must be an RFC 3339 instant with offset' },
        { parameter: 'types', message: 'unknown event type(s): ContactLoged, Foo' },
        { parameter: 'customerId', message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' },
        { parameter: 'limit', message: 'must be a whole number of at least 1' },
      ],
    });
  });

  it.each([
    ['after', '0000000000000000800000000000000a'],
    ['after', 'ABCDEF0000000000ABCDEF0000000000'],
    ['upTo', '0'.repeat(31)],
    ['limit', '0'],
    ['limit', '01'],
    ['limit', '1e3'],
    ['limit', ' 5'],
    ['customerId', 'c'.repeat(129)],
    ['from', '2026-03-01T10:00:00'],
  ])('refuses %s=%s', (parameter, value) => {
    expect(problemsOf({ [parameter]: value }).errors).toEqual([{ parameter, message: expect.any(String) }]);
  });

  it('refuses a window that ends before it starts, once both ends are valid', () => {
    expect(problemsOf({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T23:59:59.999Z' }).errors).toEqual([
      { parameter: 'to', message: 'must not be before from' },
    ]);
    expect(replayOptions({ from: '2026-03-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }).to).toEqual(
      new Date('2026-03-01T00:00:00Z'),
    );
  });
});
