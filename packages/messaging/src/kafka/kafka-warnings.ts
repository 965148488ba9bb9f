/**
 * kafkajs 2.2.4 calls setTimeout with a negative delay (tulios/kafkajs#1751,
 * unfixed); Node >= 23 then prints a TimeoutNegativeWarning (harmless: the delay
 * becomes 1 ms). Drops only that warning type, for this process.
 */
export function ignoreKafkajsTimeoutWarning(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const first = rest[0];
    const type =
      typeof first === 'string'
        ? first
        : ((first as { type?: string } | undefined)?.type ?? (warning as Error).name);
    if (type === 'TimeoutNegativeWarning') return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}
let warningFilterInstalled = false;
