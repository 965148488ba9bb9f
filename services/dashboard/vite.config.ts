import { defineConfig } from 'vite';

// The gateway serves dist/ at its root (same origin as /graphql, no CORS):
// hashed files under /assets/ are cached for good, index.html never.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    // @tanstack/virtual-core is framework-free; nothing asks for React, but
    // any library that does gets Preact's compatibility layer.
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  },
  build: {
    outDir: 'dist',
    // The page runs under `script-src 'self'`: no inline preload polyfill.
    modulePreload: { polyfill: false },
    // The budget the README reports against: a warning above 200 kB of one chunk (before gzip).
    chunkSizeWarningLimit: 200,
    sourcemap: true,
  },
  server: {
    proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } },
  },
});
