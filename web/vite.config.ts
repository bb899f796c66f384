// Builds the storefront (index.html) and the console (admin/index.html) into dist/web; hashed
// assets under /assets/, which the server caches for a year.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    rollupOptions: { input: { storefront: here('index.html'), console: here('admin/index.html') } },
  },
});
