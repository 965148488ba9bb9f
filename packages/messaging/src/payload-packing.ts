/**
 * Packs JSON values into as few JSON-array texts as fit `limitBytes` each
 * (UTF-8), keeping their order. A value that alone exceeds the limit is an
 * error: the publisher must send such values by reference.
 */
export function packPayloads(values: readonly unknown[], limitBytes: number): string[] {
  const payloads: string[] = [];
  let parts: string[] = [];
  let bytes = 2; // the brackets
  for (const value of values) {
    const text = JSON.stringify(value);
    const size = Buffer.byteLength(text);
    if (size + 2 > limitBytes) {
      throw new Error(`a change of ${size} bytes exceeds the feed's ${limitBytes}-byte message limit`);
    }
    if (parts.length > 0 && bytes + 1 + size > limitBytes) {
      payloads.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    bytes += (parts.length > 0 ? 1 : 0) + size;
    parts.push(text);
  }
  if (parts.length > 0) payloads.push(`[${parts.join(',')}]`);
  return payloads;
}
