import { describe, expect, it } from 'vitest';
import { brandingVars } from './branding';

describe('branding', () => {
  it('maps colors and custom properties to CSS variables', () => {
    expect(
      brandingVars({
        name: 'Acme',
        logo_url: null,
        colors: { primary: '#ff6600', accent: '#003366', background: '#fafafa', surface: '#fff', text: '#111' },
        css: { '--radius': '4px', '--font-body': 'Inter, sans-serif' },
      }),
    ).toEqual({
      '--brand-primary': '#ff6600',
      '--brand-accent': '#003366',
      '--brand-background': '#fafafa',
      '--brand-surface': '#fff',
      '--brand-text': '#111',
      '--radius': '4px',
      '--font-body': 'Inter, sans-serif',
    });
  });
  it('refuses anything that is not a custom property or could load or inject', () => {
    const vars = brandingVars({
      name: 'x',
      logo_url: null,
      colors: { primary: 'red; background: url(https://evil)', accent: '', background: '#fff', surface: '#fff', text: '#000' },
      css: { color: 'red', '--bg-image': 'url(https://tracker.example/x.png)', '--x': '}body{display:none', '--ok': 'rgb(1 2 3)' },
    });
    expect(vars).toEqual({ '--brand-background': '#fff', '--brand-surface': '#fff', '--brand-text': '#000', '--ok': 'rgb(1 2 3)' });
    expect(brandingVars(null)).toEqual({});
  });
});
