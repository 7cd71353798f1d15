import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DefaultTheme, defineConfig } from 'vitepress';

// The API reference's sidebar is TypeDoc's (scripts/generate.mjs writes it with the pages).
const referenceSidebarPath = fileURLToPath(new URL('../reference/typedoc-sidebar.json', import.meta.url));
const referenceSidebar: DefaultTheme.SidebarItem[] = existsSync(referenceSidebarPath)
  ? (JSON.parse(readFileSync(referenceSidebarPath, 'utf8')) as DefaultTheme.SidebarItem[])
  : [];

const guideSidebar: DefaultTheme.SidebarItem[] = [
  {
    text: 'Start',
    items: [
      { text: 'Getting started', link: '/guide/getting-started' },
      { text: 'From PyTorch', link: '/guide/from-pytorch' },
    ],
  },
  {
    text: 'Layers',
    items: [
      { text: 'Layers in general', link: '/guide/layers' },
      { text: 'Fully connected (Linear)', link: '/guide/linear' },
      { text: 'Convolution', link: '/guide/convolution' },
      { text: 'Transposed convolution', link: '/guide/conv-transpose' },
      { text: 'Pooling', link: '/guide/pooling' },
      { text: 'Batch norm and layer norm', link: '/guide/normalization' },
      { text: 'Dropout', link: '/guide/dropout' },
      { text: 'Embedding', link: '/guide/embedding' },
      { text: 'Recurrent (RNN, LSTM, GRU)', link: '/guide/recurrent' },
      { text: 'Attention and the Transformer', link: '/guide/attention' },
    ],
  },
  {
    text: 'Training',
    items: [
      { text: 'Autograd', link: '/guide/autograd' },
      { text: 'Modules and state dicts', link: '/guide/modules' },
      { text: 'Losses', link: '/guide/losses' },
      { text: 'Optimizers and schedulers', link: '/guide/optimizers' },
      { text: 'The training loop', link: '/guide/training' },
      { text: 'Safetensors and PyTorch', link: '/guide/safetensors' },
    ],
  },
  {
    text: 'Reports',
    items: [
      { text: 'PyTorch parity', link: '/guide/parity' },
      { text: 'Performance', link: '/guide/performance' },
      { text: 'Contributing', link: '/guide/contributing' },
    ],
  },
];

const demoSidebar: DefaultTheme.SidebarItem[] = [
  {
    text: 'Live demos',
    items: [
      { text: 'Convolution and pooling', link: '/demos/conv-pooling' },
      { text: 'Batch norm against layer norm', link: '/demos/norms' },
      { text: 'Dropout', link: '/demos/dropout' },
      { text: 'Embedding', link: '/demos/embedding' },
      { text: 'Train the CNN', link: '/demos/train-cnn' },
    ],
  },
];

export default defineConfig({
  title: 'Strata',
  description: 'Deep learning in TypeScript that a PyTorch user reads at a glance.',
  lang: 'en-US',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  cleanUrls: true,
  lastUpdated: false,
  // Partials that generate.mjs writes for pages to include; not pages themselves.
  srcExclude: ['generated/**', 'README.md', 'test-results/**'],
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Demos', link: '/demos/conv-pooling' },
      { text: 'API reference', link: '/reference/' },
      { text: 'Parity', link: '/guide/parity' },
    ],
    sidebar: {
      '/guide/': guideSidebar,
      '/demos/': demoSidebar,
      '/reference/': [{ text: 'API reference', link: '/reference/' }, ...referenceSidebar],
    },
    search: { provider: 'local' },
    outline: [2, 3],
    footer: { message: 'MIT licensed. The API reference is generated from the TSDoc of the packages.' },
  },
  vite: {
    worker: { format: 'es' },
    // The demos import the built workspace packages; keep them out of the dependency pre-bundling cache.
    optimizeDeps: { exclude: ['@strata/tensor', '@strata/autograd', '@strata/module', '@strata/layers-conv', '@strata/layers-misc', '@strata/layers-norm', '@strata/losses', '@strata/optim', '@strata/train'] },
  },
});
