/**
 * The opaque position clients see: 16 hex digits of the writer's transaction
 * id, then 16 of the row's sequence number. Fixed width and lower case, so
 * plain string order is (tx_id, position) order, i.e. log order.
 */
export interface LogPosition {
  /** xid8 as a decimal string (what PostgreSQL accepts and returns). */
  txId: string;
  /** bigint as a decimal string. */
  position: string;
}

const HEX16 = 16;
const POSITION_PATTERN = /^[0-9a-f]{32}$/;

export function encodePosition(txId: string | number | bigint, position: string | number | bigint): string {
  return toHex16(BigInt(txId)) + toHex16(BigInt(position));
}

export function decodePosition(value: string): LogPosition {
  if (!POSITION_PATTERN.test(value)) {
    throw new RangeError(`not an event store position: "${value}"`);
  }
  return {
    txId: BigInt(`0x${value.slice(0, HEX16)}`).toString(),
    position: BigInt(`0x${value.slice(HEX16)}`).toString(),
  };
}

function toHex16(value: bigint): string {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`out of 64-bit range: ${value}`);
  return value.toString(16).padStart(HEX16, '0');
}
