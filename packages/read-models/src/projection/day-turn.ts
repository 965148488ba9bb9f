import { addDays, type LocalDate, startOfDay } from '@crh/domain';
import type { Pool } from 'pg';
import { RELATIONSHIPS_PROJECTION } from '../schema/checkpoints.ts';
import { lockClock } from '../schema/projection-clock.ts';
import type { StatusChange } from './status-changes.ts';

export interface DayTurn {
  day: LocalDate;
  /** Status changes the passing of the day caused (empty when not announcing). */
  changes: StatusChange[];
}

/**
 * Turns the clock day by day up to `today`, each day in its own transaction:
 * relationships whose interval starting that day has another status than the
 * one announced get it announced (a silence crossing a threshold, an
 * onboarding dated that day). Only intervals starting on the day can change
 * its status, because every batch keeps the announced status equal to the
 * status on the turned day. After downtime every missed day is turned, in
 * order, so the feed holds each day's changes.
 */
export async function turnDays(
  pool: Pool,
  timeZone: string,
  today: LocalDate,
  announce: boolean,
): Promise<DayTurn[]> {
  const turns: DayTurn[] = [];
  for (;;) {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const turned = (await lockClock(client, RELATIONSHIPS_PROJECTION, today)).turnedDay;
      if (turned >= today) {
        await client.query('commit');
        return turns;
      }
      const day = addDays(turned, 1);
      const at = startOfDay(day, timeZone).toISOString();
      const { rows } = await client.query<{
        customer_id: string;
        account_manager_id: string | null;
        from_status: StatusChange['from'];
        to_status: StatusChange['to'];
      }>(
        `with changed as (
           select r.customer_id, i.account_manager_id, r.announced_status as from_status, i.status as to_status
           from crh.rm_relationship_intervals i
           join crh.rm_relationships r on r.customer_id = i.customer_id
           where i.from_day = $1 and r.announced_status is distinct from i.status
         ), announced as (
           update crh.rm_relationships r set announced_status = c.to_status
           from changed c where r.customer_id = c.customer_id
         ), recorded as (
           insert into crh.relationship_status_changes
             (customer_id, account_manager_id, from_status, to_status, day, at, cause)
           select customer_id, account_manager_id, from_status, to_status, $1, $2, 'day' from changed where $3
         )
         select * from changed where $3 order by customer_id`,
        [day, at, announce],
      );
      await client.query('update crh.projection_checkpoints set turned_day = $2 where projection = $1', [
        RELATIONSHIPS_PROJECTION,
        day,
      ]);
      await client.query('commit');
      turns.push({
        day,
        changes: rows.map((r) => ({
          customerId: r.customer_id,
          accountManagerId: r.account_manager_id,
          from: r.from_status,
          to: r.to_status,
          day,
          at,
          cause: 'day',
        })),
      });
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
