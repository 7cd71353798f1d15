import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import './custom.css';

// The demos are client-only components (canvas, Web Worker), registered where the pages use them.
export default {
  extends: DefaultTheme,
} satisfies Theme;
