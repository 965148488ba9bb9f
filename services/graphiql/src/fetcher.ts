import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { parse } from 'graphql';

/** Where GraphiQL keeps its headers tab (storage namespace `graphiql`); the sign-in page at / writes it. */
export const HEADERS_KEY = 'graphiql:headers';

/**
 * The toolkit's fetcher on this origin (HTTP and graphql-ws on `endpoint`),
 * with three corrections GraphiQL 4 needs against the gateway:
 * - The first introspection runs before the headers tab exists, so it goes
 *   without headers (401, and no schema: no docs, no completion). A call with
 *   none gets the stored tab, which is what the tab shows once it is there.
 * - The toolkit sends the headers as graphql-ws's connection_init payload with
 *   names as typed; the gateway reads `authorization` there, while the sign-in
 *   page (and people) write `Authorization`. HTTP names ignore case either way.
 * - The toolkit picks graphql-ws for a subscription by the document GraphiQL
 *   parsed last, which trails the editor by a debounce: a run right after an
 *   edit went over HTTP. The text being sent decides instead.
 */
export function createCrhFetcher(endpoint: string): Fetcher {
  const subscriptionUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${endpoint}`;
  const toolkit = createGraphiQLFetcher({ url: endpoint, subscriptionUrl });
  return (params, options) => {
    const headers = lowerCaseNames(options?.headers ?? storedHeaders());
    const documentAST = parsed(params.query) ?? options?.documentAST;
    return toolkit(params, {
      ...options,
      ...(headers ? { headers } : {}),
      ...(documentAST ? { documentAST } : {}),
    });
  };
}

function storedHeaders(): Record<string, unknown> | undefined {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(HEADERS_KEY) ?? 'null');
    return stored && typeof stored === 'object' && !Array.isArray(stored)
      ? (stored as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The same headers, every name in lower case (a later duplicate wins, as in the tab's JSON). */
export function lowerCaseNames(
  headers: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!headers) return headers;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function parsed(query: string) {
  try {
    return parse(query);
  } catch {
    // GraphiQL runs only what parses; the server says what is wrong with anything else.
    return undefined;
  }
}
