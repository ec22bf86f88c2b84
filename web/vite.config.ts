import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// Two pages in one build: the member app at / (index.html) and the admin panel at /admin
// (admin/index.html). Assets land in /assets with hashed names; the server serves dist/.
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rollupOptions: {
      input: { app: `${here}index.html`, admin: `${here}admin/index.html` },
      // React and react-dom in one long-cached chunk both apps share.
      output: { manualChunks: (id: string) => (id.includes('node_modules') ? 'react' : undefined) },
    },
  },
  server: {
    proxy: Object.fromEntries(['/api', '/admin/api', '/graph', '/media'].map((p) => [p, 'http://127.0.0.1:8080'])),
  },
});
