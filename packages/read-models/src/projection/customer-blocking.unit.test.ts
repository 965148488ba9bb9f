import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from './customer-blocking.ts';

const withProps = (message: string, props: object) => Object.assign(new Error(message), props);

describe('which projection errors retry the batch rather than park the event', () => {
  it.each([
    ['the server shut down (57P01)', withProps('terminating connection', { code: '57P01' })],
    ['a connection exception (08006)', withProps('connection failure', { code: '08006' })],
    ['a serialization failure (40001)', withProps('could not serialize', { code: '40001' })],
    ['a deadlock (40P01)', withProps('deadlock detected', { code: '40P01' })],
    ['a statement timeout (57014)', withProps('canceling statement', { code: '57014' })],
    ['too many connections (53300)', withProps('too many clients', { code: '53300' })],
    ['a reset socket', withProps('read ECONNRESET', { code: 'ECONNRESET' })],
    ['a connection the pool lost', new Error('Connection terminated unexpectedly')],
    ['the pool giving up connecting', new Error('timeout exceeded when trying to connect')],
    ['EventStoreDB away', withProps('Unavailable', { type: 'unavailable' })],
    ['a shutdown', withProps('aborted', { name: 'AbortError' })],
  ])('%s: transient', (_, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a projection bug', new TypeError("Cannot read properties of undefined (reading 'day')")],
    ['a constraint the data trips (23505)', withProps('duplicate key value', { code: '23505' })],
    ['a value out of range (22003)', withProps('integer out of range', { code: '22003' })],
    ['a thrown string', 'boom'],
  ])('%s: the event is poison', (_, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
