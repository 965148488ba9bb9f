import { Provider, useQuery } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router } from 'preact-iso';
import { App } from './app-context.ts';
import { CallbackPage } from './auth/callback-page.tsx';
import { onSessionChange, session } from './auth/session.ts';
import { SignInPage } from './auth/sign-in-page.tsx';
import { CALLBACK_PATH } from './auth/sign-in-settings.ts';
import { Failed, Loading } from './components/states.tsx';
import { client } from './graphql/client.ts';
import { WhoAndWhen } from './graphql/who-and-when.ts';
import { Layout } from './layout.tsx';
import { MorningView } from './views/morning/morning-view.tsx';
import { NotFound } from './views/not-found.tsx';
import { RelationshipView } from './views/relationship/relationship-view.tsx';
import { TeamView } from './views/team/team-view.tsx';

export function Root() {
  const [current, setCurrent] = useState(session());
  useEffect(() => onSessionChange(setCurrent), []);
  // Back from the identity provider: read before the session, which the callback replaces.
  if (location.pathname === CALLBACK_PATH) return <CallbackPage />;
  if (current.state === 'signed-out') return <SignInPage session={current} />;
  return (
    <Provider value={client}>
      <LocationProvider>
        <SignedIn />
      </LocationProvider>
    </Provider>
  );
}

function SignedIn() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: WhoAndWhen });
  if (error) {
    return (
      <main id="main">
        <Failed what="who you are" error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      </main>
    );
  }
  if (fetching || !data) {
    return (
      <main id="main">
        <Loading what="your book" />
      </main>
    );
  }
  return (
    <App.Provider value={{ viewer: data.viewer, organisation: data.organisation }}>
      <Layout>
        <Router>
          <Route path="/" component={MorningView} />
          <Route path="/relationships/:customerId" component={RelationshipView} />
          <Route path="/team" component={TeamView} />
          <Route default component={NotFound} />
        </Router>
      </Layout>
    </App.Provider>
  );
}
