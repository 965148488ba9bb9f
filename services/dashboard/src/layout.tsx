import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useApp } from './app-context.ts';
import { endSession } from './auth/session.ts';
import { formatDay } from './day.ts';

/** Landmarks a screen reader lists: a banner with the navigation, then the main content. */
export function Layout({ children }: { children: ComponentChildren }) {
  const { viewer, organisation } = useApp();
  const { path } = useLocation();
  const current = (href: string) => (path === href ? ('page' as const) : undefined);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="banner">
        <span class="brand">crh</span>
        <nav aria-label="Views">
          <a href="/" aria-current={current('/')}>
            My morning
          </a>
          {viewer.readsEveryBook && (
            <a href="/team" aria-current={current('/team')}>
              Team board
            </a>
          )}
          {/* For those who write their own queries; GraphiQL gets the same token. */}
          {(viewer.roles.includes('admin') || viewer.roles.includes('analyst')) && (
            // A page of its own, not a route of this one: the router leaves a link with a target alone.
            <a href="/graphql" target="_top">
              GraphiQL
            </a>
          )}
        </nav>
        <p class="today">
          Today in {organisation.timeZone}: <strong>{formatDay(organisation.today)}</strong>
        </p>
        <p class="who">
          {viewer.accountManagerId ?? viewer.subject}
          <span class="roles"> ({viewer.roles.join(', ')})</span>{' '}
          <button type="button" class="link" onClick={() => endSession('none')}>
            Sign out
          </button>
        </p>
      </header>
      <main id="main">{children}</main>
    </>
  );
}
