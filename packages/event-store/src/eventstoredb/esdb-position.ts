import type { EsdbPosition } from './esdb-log.ts';

/**
 * The opaque position clients see: 16 hex digits of the $all commit
 * position, then 16 of the prepare position. Fixed width and lower case, so
 * plain string order is (commit, prepare) order, which is EventStoreDB's log
 * order. Same shape as the PostgreSQL adapter's positions.
 */
const HEX16 = 16;
const POSITION_PATTERN = /^[0-9a-f]{32}$/;

export function encodeEsdbPosition(position: EsdbPosition): string {
  return toHex16(position.commit) + toHex16(position.prepare);
}

export function decodeEsdbPosition(value: string): EsdbPosition {
  if (!POSITION_PATTERN.test(value)) {
    throw new RangeError(`not an event store position: "${value}"`);
  }
  return {
    commit: BigInt(`0x${value.slice(0, HEX16)}`),
    prepare: BigInt(`0x${value.slice(HEX16)}`),
  };
}

function toHex16(value: bigint): string {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`out of 64-bit range: ${value}`);
  return value.toString(16).padStart(HEX16, '0');
}
