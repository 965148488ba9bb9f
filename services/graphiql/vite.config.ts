import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

// The page the gateway answers GET /graphql with (browsers), and its assets,
// which the gateway serves from this package's dist/ under /graphiql/.

/**
 * A .gz beside each script and style, made once here rather than by the
 * gateway on every request; the gateway (sirv) sends it to whoever accepts gzip.
 */
function precompress(): Plugin {
  return {
    name: 'crh-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle).filter((file) => /\.(js|css)$/.test(file))) {
        const file = join(options.dir ?? 'dist', name);
        writeFileSync(`${file}.gz`, gzipSync(readFileSync(file), { level: constants.Z_BEST_COMPRESSION }));
      }
    },
  };
}

export default defineConfig({
  // Asset URLs in the page start here; the gateway's static route has the same prefix.
  base: '/graphiql/',
  plugins: [precompress()],
  // Radix's dialogs write a <style> element while open (react-remove-scroll):
  // the gateway replaces this with a fresh nonce per response and allows that
  // nonce in style-src, rather than every inline style ('unsafe-inline').
  // The gateway's graphiql-page.ts names the same placeholder.
  html: { cspNonce: 'CRH_CSP_NONCE' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names (Vite's default): the gateway lets browsers keep them for a year.
    assetsDir: 'assets',
    // The page's policy is script-src 'self': Vite's modulepreload polyfill is
    // an inline script, and every browser GraphiQL supports preloads natively.
    modulePreload: { polyfill: false },
    // Every asset a file of its own, never a data: URL the policy would have to allow.
    assetsInlineLimit: 0,
    // GraphiQL with React, CodeMirror and graphql-js is about 1 MB minified (325 kB gzipped): warn above that.
    chunkSizeWarningLimit: 1_100,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React's "use client" marks in framer-motion and Radix mean nothing in a client-only bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
