import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// `npm run dev` proxies /api to a running `inda serve` (INDA_API, default http://127.0.0.1:8765).
const api = process.env.INDA_API ?? 'http://127.0.0.1:8765';

export default defineConfig({
  // Relative asset paths: the build is embedded in the Rust binary and served at `/` (and loaded from disk by Tauri).
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // ECharts is one big, lazily shared chunk; keep the warning meaningful for our own code.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks: (id) => (id.includes('node_modules/echarts') || id.includes('node_modules/zrender') ? 'echarts' : undefined),
      },
    },
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
