// Resolves the CSS palette (which may use var() and color-mix()) to concrete colors ECharts understands.
import type { ChartTheme } from './option';

export const PALETTE_SIZE = 8;

function resolve(probe: HTMLElement, expr: string, fallback: string): string {
  probe.style.color = fallback;
  probe.style.color = expr;
  const c = getComputedStyle(probe).color;
  return c || fallback;
}

export function readChartTheme(): ChartTheme {
  const probe = document.createElement('span');
  probe.setAttribute('aria-hidden', 'true');
  probe.className = 'color-probe';
  document.body.appendChild(probe);
  try {
    const palette = Array.from({ length: PALETTE_SIZE }, (_, i) => resolve(probe, `var(--chart-${i})`, '#5470c6'));
    return {
      palette,
      text: resolve(probe, 'var(--text)', '#222'),
      muted: resolve(probe, 'var(--muted)', '#666'),
      grid: resolve(probe, 'var(--border)', '#ddd'),
    };
  } finally {
    probe.remove();
  }
}
