/**
 * Days of silence against the tier's thresholds: where this relationship
 * stands on the way from active to going quiet to neglected.
 */
export function SilenceMeter({
  days,
  thresholds,
  typicalGap,
}: {
  days: number;
  thresholds: { tier: string; quietAfterDays: number; neglectedAfterDays: number } | undefined;
  typicalGap: number | null;
}) {
  if (!thresholds) return null;
  const max = Math.max(thresholds.neglectedAfterDays * 1.5, days + 1);
  const at = (d: number) => `${(100 * Math.min(d, max)) / max}%`;
  return (
    <figure class="silence-meter">
      <div class="meter-track" aria-hidden="true">
        <span class="meter-zone zone-active" style={{ width: at(thresholds.quietAfterDays) }} />
        <span
          class="meter-zone zone-quiet"
          style={{
            left: at(thresholds.quietAfterDays),
            width: at(thresholds.neglectedAfterDays - thresholds.quietAfterDays),
          }}
        />
        <span
          class="meter-zone zone-neglected"
          style={{ left: at(thresholds.neglectedAfterDays), right: '0' }}
        />
        <span class="meter-mark" style={{ left: at(days) }} />
      </div>
      <figcaption>
        {days} days since the last contact. Tier {thresholds.tier}: going quiet from{' '}
        {thresholds.quietAfterDays} days, neglected from {thresholds.neglectedAfterDays}.
        {typicalGap !== null && ` Its own rhythm: a contact every ${typicalGap} days.`}
      </figcaption>
    </figure>
  );
}
