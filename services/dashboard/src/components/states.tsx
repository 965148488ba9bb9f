import type { CombinedError } from '@urql/core';
import type { ComponentChildren } from 'preact';

/** Loading, empty and error states that say what happened and what to do. */

export function Loading({ what }: { what: string }) {
  return (
    <p class="state state-loading" role="status" aria-live="polite">
      Loading {what} …
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state state-empty">{children}</p>;
}

export function Failed({
  what,
  error,
  retry,
}: {
  what: string;
  error: CombinedError | Error;
  retry?: () => void;
}) {
  const combined = 'graphQLErrors' in error ? error : null;
  const network = combined ? combined.networkError !== undefined : true;
  const code = combined?.graphQLErrors[0]?.extensions?.code;
  const advice = network
    ? 'The platform could not be reached. Check your connection; the page tries again when you retry.'
    : code === 'FORBIDDEN'
      ? 'Your sign-in does not allow this. Ask your team lead or administrator for the right role.'
      : code === 'RATE_LIMITED'
        ? 'Too many requests in a short time. Wait a moment, then retry.'
        : 'The platform answered with an error. Retry; if it stays, tell your administrator the time it happened.';
  return (
    <div class="state state-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {advice}
      </p>
      <p class="detail">
        {combined?.graphQLErrors[0]?.message ?? combined?.networkError?.message ?? error.message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

/**
 * A query's answer not (yet) there: the error with a retry that asks the
 * gateway again, else "Loading"; nothing once `data` is in.
 */
export function Pending({
  what,
  data,
  error,
  retry,
}: {
  what: string;
  data: unknown;
  error: CombinedError | Error | undefined | null;
  retry?: (options: { requestPolicy: 'network-only' }) => void;
}) {
  if (error)
    return (
      <Failed
        what={what}
        error={error}
        {...(retry ? { retry: () => retry({ requestPolicy: 'network-only' }) } : {})}
      />
    );
  return data ? null : <Loading what={what} />;
}
