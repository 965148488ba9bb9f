import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Organisation, Viewer } from './graphql/who-and-when.ts';

export interface AppContext {
  viewer: Viewer;
  organisation: Organisation;
}

export const App = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const value = useContext(App);
  if (!value) throw new Error('useApp outside the signed-in page');
  return value;
}
