import { setNonce } from 'get-nonce';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './page.css';
import { createCrhFetcher } from './fetcher.ts';

// Same origin for HTTP and graphql-ws: the gateway serves both on /graphql,
// and the page's Content-Security-Policy (connect-src 'self') allows nothing else.
const fetcher = createCrhFetcher('/graphql');

// The nonce the gateway put in this response's policy (Vite's csp-nonce meta
// element): the <style> Radix writes while a dialog is open carries it.
const nonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce;
if (nonce) setNonce(nonce);

const container = document.getElementById('graphiql');
if (!container) throw new Error('the page lacks its #graphiql element');
createRoot(container).render(
  // The headers tab is kept in localStorage (`graphiql:headers`): the sign-in
  // page at / puts the bearer token there, and a pasted one survives reloads.
  createElement(GraphiQL, { fetcher, shouldPersistHeaders: true }),
);
