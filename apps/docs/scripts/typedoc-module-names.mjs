// A TypeDoc plugin: names each entry point's module after its package
// specifier (`@strata/tensor`, `@strata/module/node`) instead of its path
// (`tensor/src`), so the reference reads as the imports do.
import { resolve } from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';
import { publicPackages } from './packages.mjs';

/** @param {import('typedoc').Application} app */
export function load(app) {
  const bySource = new Map(publicPackages().flatMap((pkg) => pkg.entries.map((entry) => [resolve(entry.source), entry.specifier])));
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const declaration = context.getSymbolFromReflection(reflection)?.declarations?.[0];
    const specifier = declaration === undefined ? undefined : bySource.get(resolve(declaration.getSourceFile().fileName));
    if (specifier !== undefined) reflection.name = specifier;
  });
}
