// TypeDoc over the TypeScript sources of every public package (scripts/packages.mjs),
// compiled as one program so that links between packages resolve, written as
// Markdown into reference/ for VitePress. Any validation warning (an
// undocumented export, a broken {@link}, a referenced type that is not exported)
// fails the build.
import { publicPackages } from './scripts/packages.mjs';

const packages = publicPackages();
const entries = packages.flatMap((pkg) => pkg.entries);

/** @type {Partial<import('typedoc').TypeDocOptions & import('typedoc-plugin-markdown').PluginOptions & import('typedoc-vitepress-theme').PluginOptions>} */
export default {
  plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme', './scripts/typedoc-module-names.mjs'],
  entryPoints: entries.map((entry) => entry.source),
  entryPointStrategy: 'resolve',
  tsconfig: './tsconfig.typedoc.json',
  // Each specifier (`@strata/tensor`, `@strata/module/node`) points at its source, not at dist/.
  compilerOptions: {
    paths: Object.fromEntries(entries.map((entry) => [entry.specifier, [entry.source]])),
  },
  out: './reference',
  docsRoot: './',
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  disableSources: true,
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: true },
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
  hidePageHeader: true,
  hideBreadcrumbs: false,
  useCodeBlocks: true,
  expandObjects: false,
  parametersFormat: 'table',
  interfacePropertiesFormat: 'table',
  classPropertiesFormat: 'table',
  enumMembersFormat: 'table',
  typeDeclarationFormat: 'table',
  sidebar: { autoConfiguration: true, format: 'vitepress', pretty: true, collapsed: true },
};
