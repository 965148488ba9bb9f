import type { CombinedError } from '@urql/core';
import { useMutation } from '@urql/preact';
import { useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { addDays } from '../day.ts';
import { refreshAll } from '../graphql/live-query.ts';
import { ActionDialog } from './action-dialog.tsx';
import { LogContact, MakePromise } from './mutations.ts';

const CHANNELS = ['call', 'email', 'meeting', 'visit', 'chat', 'letter', 'social', 'other'];

/** What the user can fix, in words; the rest names the error so support can find it. */
export const problemOf = (error: CombinedError): string =>
  error.graphQLErrors[0]?.message ?? `The platform could not be reached (${error.message}). Try again.`;

/** "Log contact" and "Make a promise" for one relationship. */
export function RelationshipActions({
  customerId,
  name,
  compact = false,
}: {
  customerId: string;
  name: string;
  /** A list row: only "Log contact". */
  compact?: boolean;
}) {
  const { viewer, organisation } = useApp();
  const [open, setOpen] = useState<'contact' | 'promise' | null>(null);
  // One id per opened form: a retried submit records nothing twice.
  const [attempt, setAttempt] = useState(() => crypto.randomUUID());
  const [, logContact] = useMutation(LogContact);
  const [, makePromise] = useMutation(MakePromise);
  if (!viewer.mayAct) return null;
  const show = (which: 'contact' | 'promise') => {
    setAttempt(crypto.randomUUID());
    setOpen(which);
  };
  const done = (error: CombinedError | undefined) => {
    if (error) return problemOf(error);
    refreshAll();
    return null;
  };
  return (
    <span class="actions">
      <button type="button" onClick={() => show('contact')} aria-label={`Log contact with ${name}`}>
        Log contact
      </button>
      {!compact && (
        <button type="button" onClick={() => show('promise')} aria-label={`Make a promise to ${name}`}>
          Make a promise
        </button>
      )}
      <ActionDialog
        title={`Log contact with ${name}`}
        open={open === 'contact'}
        onClose={() => setOpen(null)}
        submitLabel="Log contact"
        onSubmit={async (form) => {
          const summary = String(form.get('summary') ?? '').trim();
          const { error } = await logContact({
            input: {
              customerId,
              clientMutationId: attempt,
              channel: String(form.get('channel')),
              direction: String(form.get('direction')),
              ...(summary ? { summary } : {}),
            },
          });
          return done(error);
        }}
      >
        <label>
          Channel
          <select name="channel" required>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Direction
          <select name="direction" required>
            <option value="outbound">We reached out (outbound)</option>
            <option value="inbound">They reached us (inbound)</option>
          </select>
        </label>
        <label>
          Note
          <textarea name="summary" rows={3} maxLength={500} placeholder="What was it about?" />
        </label>
      </ActionDialog>
      <ActionDialog
        title={`Make a promise to ${name}`}
        open={open === 'promise'}
        onClose={() => setOpen(null)}
        submitLabel="Make the promise"
        onSubmit={async (form) => {
          const due = String(form.get('due'));
          // Due at the end of the business day, in the viewer's own time zone.
          const dueAt = new Date(`${due}T17:00`).toISOString();
          const { error } = await makePromise({
            input: {
              customerId,
              clientMutationId: attempt,
              description: String(form.get('description')).trim(),
              dueAt,
            },
          });
          return done(error);
        }}
      >
        <label>
          What you promise
          <input name="description" required maxLength={300} placeholder="Send the renewal offer" />
        </label>
        <label>
          Due on
          <input
            name="due"
            type="date"
            required
            min={organisation.today}
            defaultValue={addDays(organisation.today, 7)}
          />
        </label>
      </ActionDialog>
    </span>
  );
}
