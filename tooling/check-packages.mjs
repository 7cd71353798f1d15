#!/usr/bin/env node
/**
 * Checks that every package under packages/ has the shape STYLE.md item 9
 * asks for: a README, a CHANGELOG, tests, an exports map of the shape
 * tooling/PACKAGING.md describes (nested import/require, each with its own
 * types) and the other fields tooling/packaging/manifests.mjs derives, `files`, `license` and `sideEffects` in package.json,
 * and TSDoc on every export of every entry point.
 *
 * The TSDoc check uses the TypeScript compiler: it follows each entry point's
 * exports (through re-exports and `export * as`) to their declarations in the
 * package's own source and reports, by name and file:line, every exported
 * declaration without a JSDoc summary, every public member of an exported
 * class or interface without one, and every exported function or method that
 * throws in its own body without a `@throws` tag.
 *
 * Usage: `node tooling/check-packages.mjs [folder ...]` (default: every
 * folder of packages/). Exits 1 when anything is reported.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { exportTarget, manifestProblems } from './packaging/manifests.mjs';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDirectory = join(repositoryRoot, 'packages');

/** Whether a folder (recursively, skipping builds and dependencies) holds a `*.test.ts`. */
function hasTestFile(folder) {
  if (!existsSync(folder)) return false;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory() ? hasTestFile(path) : entry.name.endsWith('.test.ts')) return true;
  }
  return false;
}

/** The source file of an exports-map subpath: `.` is src/index.ts, `./node` is src/node.ts. */
function entrySource(packageDirectory, subpath) {
  return join(packageDirectory, 'src', subpath === '.' ? 'index.ts' : `${subpath.slice(2)}.ts`);
}

/** Problems with package.json and the files every package carries; also returns its entry points. */
function checkManifest(packageDirectory, problems) {
  for (const file of ['README.md', 'CHANGELOG.md']) {
    if (!existsSync(join(packageDirectory, file))) problems.push(`missing ${file}`);
  }
  if (!hasTestFile(join(packageDirectory, 'src')) && !hasTestFile(join(packageDirectory, 'test'))) {
    problems.push('no *.test.ts under src/ or test/');
  }
  const manifestPath = join(packageDirectory, 'package.json');
  if (!existsSync(manifestPath)) {
    problems.push('missing package.json');
    return [];
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (typeof manifest.license !== 'string' || manifest.license === '') problems.push('package.json: no "license"');
  if (!Array.isArray(manifest.files) || manifest.files.length === 0) problems.push('package.json: no "files" list');
  if (!('sideEffects' in manifest)) problems.push('package.json: no "sideEffects"');
  if (manifest.private !== true) {
    const root = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8'));
    problems.push(...manifestProblems(manifest, relative(packagesDirectory, packageDirectory), root));
  }
  const exportsMap = manifest.exports;
  if (exportsMap === null || typeof exportsMap !== 'object' || Array.isArray(exportsMap)) {
    problems.push('package.json: no "exports" map');
    return [];
  }
  if (!('.' in exportsMap)) problems.push('package.json: the "exports" map has no "." entry');
  const entries = [];
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (subpath === './package.json') continue;
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    if (JSON.stringify(target) !== JSON.stringify(exportTarget(name))) {
      problems.push(`package.json: exports["${subpath}"] must be ${JSON.stringify(exportTarget(name))} (tooling/PACKAGING.md)`);
    }
    const source = entrySource(packageDirectory, subpath);
    if (existsSync(source)) entries.push({ subpath, source });
    else problems.push(`exports["${subpath}"] has no source file ${relative(repositoryRoot, source)}`);
  }
  return entries;
}

/** The JSDoc blocks attached to a declaration (for a variable: its statement's). */
function jsDocsOf(node) {
  return ts.getJSDocCommentsAndTags(node).filter((item) => ts.isJSDoc(item));
}

function hasSummary(node) {
  return jsDocsOf(node).some((doc) => ts.getTextOfJSDocComment(doc.comment)?.trim());
}

function hasThrowsTag(node) {
  return jsDocsOf(node).some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === 'throws'));
}

/** Whether a function body throws by itself (nested functions and classes don't count). */
function throwsDirectly(body) {
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (ts.isThrowStatement(node)) {
      found = true;
      return;
    }
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    ts.forEachChild(node, visit);
  };
  if (body !== undefined) ts.forEachChild(body, visit);
  return found;
}

function isPrivate(member) {
  if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return true;
  return (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Private) !== 0;
}

function memberName(member) {
  if (member.name === undefined) return '(anonymous)';
  return ts.isComputedPropertyName(member.name) ? `[${member.name.expression.getText()}]` : member.name.getText();
}

/** Reports every problem with the exports of one entry point's module. */
function checkExports(checker, moduleSymbol, prefix, context) {
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const name = `${prefix}${exported.getName()}`;
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = (symbol.declarations ?? []).filter((declaration) =>
      context.isOwnFile(declaration.getSourceFile().fileName),
    );
    if (declarations.length === 0) continue; // re-exported from another package: checked there
    if (declarations.some((declaration) => ts.isSourceFile(declaration))) {
      checkExports(checker, symbol, `${name}.`, context); // `export * as name from ...`
      continue;
    }
    if (declarations.every((declaration) => context.seen.has(declaration))) continue;
    for (const declaration of declarations) context.seen.add(declaration);
    if (!declarations.some(hasSummary)) context.report(declarations[0], `${name}: no TSDoc summary`);
    const functionLike = declarations.filter((declaration) => ts.isFunctionDeclaration(declaration));
    if (functionLike.some((declaration) => throwsDirectly(declaration.body)) && !functionLike.some(hasThrowsTag)) {
      context.report(functionLike.find((declaration) => declaration.body) ?? functionLike[0], `${name}: throws but has no @throws`);
    }
    for (const declaration of declarations) {
      if (ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration)) {
        checkMembers(checker, declaration, name, context);
      }
    }
  }
}

/**
 * The types a class or interface inherits documentation from: its base
 * class or extended interfaces, and the interfaces a class implements (as
 * TypeDoc copies the comment of an overridden or implemented member).
 */
function inheritedTypes(checker, declaration) {
  const types = [];
  const symbol = declaration.name === undefined ? undefined : checker.getSymbolAtLocation(declaration.name);
  if (symbol !== undefined) types.push(...(checker.getBaseTypes(checker.getDeclaredTypeOfSymbol(symbol)) ?? []));
  for (const clause of declaration.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
    for (const implemented of clause.types) types.push(checker.getTypeAtLocation(implemented));
  }
  return types;
}

/** Whether an inherited member of this name carries a TSDoc summary, however far up it is declared. */
function inheritsSummary(checker, types, name, depth = 0) {
  if (depth > 20) return false;
  for (const type of types) {
    const declarations = type.getProperty(name)?.declarations ?? [];
    if (declarations.some(hasSummary)) return true;
    // The nearest declaration has no comment: look above the type that declares it.
    for (const owner of declarations.map((member) => member.parent)) {
      if ((ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) && inheritsSummary(checker, inheritedTypes(checker, owner), name, depth + 1)) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Public members of an exported class or interface need TSDoc too
 * (overloads and get/set pairs share one; an override or an implementation
 * of a documented member inherits its documentation).
 */
function checkMembers(checker, declaration, ownerName, context) {
  const inherited = inheritedTypes(checker, declaration);
  const groups = new Map();
  for (const member of declaration.members) {
    if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || ts.isIndexSignatureDeclaration(member)) {
      continue;
    }
    if (ts.isClassDeclaration(declaration) && isPrivate(member)) continue;
    const key = memberName(member);
    const group = groups.get(key) ?? [];
    group.push(member);
    groups.set(key, group);
  }
  for (const [key, members] of groups) {
    const name = `${ownerName}.${key}`;
    if (!members.some(hasSummary) && !inheritsSummary(checker, inherited, key)) context.report(members[0], `${name}: no TSDoc summary`);
    const methods = members.filter((member) => ts.isMethodDeclaration(member));
    if (methods.some((member) => throwsDirectly(member.body)) && !methods.some(hasThrowsTag)) {
      context.report(methods.find((member) => member.body) ?? methods[0], `${name}: throws but has no @throws`);
    }
  }
}

function compilerOptionsOf(packageDirectory) {
  const configPath = join(packageDirectory, 'tsconfig.json');
  if (!existsSync(configPath)) return { strict: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  return parsed?.options ?? {};
}

function checkDocumentation(packageDirectory, entries, problems) {
  if (entries.length === 0) return;
  const program = ts.createProgram(
    entries.map((entry) => entry.source),
    { ...compilerOptionsOf(packageDirectory), noEmit: true },
  );
  const checker = program.getTypeChecker();
  const ownSource = join(packageDirectory, 'src') + sep;
  const context = {
    seen: new Set(),
    isOwnFile: (fileName) => fileName.split('/').join(sep).startsWith(ownSource),
    report(node, message) {
      const file = node.getSourceFile();
      const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
      problems.push(`${message} (${relative(repositoryRoot, file.fileName)}:${line + 1})`);
    },
  };
  for (const entry of entries) {
    const sourceFile = program.getSourceFile(entry.source);
    const moduleSymbol = sourceFile === undefined ? undefined : checker.getSymbolAtLocation(sourceFile);
    if (moduleSymbol === undefined) {
      problems.push(`${relative(repositoryRoot, entry.source)}: could not be read as a module`);
      continue;
    }
    checkExports(checker, moduleSymbol, entry.subpath === '.' ? '' : `${entry.subpath.slice(2)}:`, context);
  }
}

function main() {
  const requested = process.argv.slice(2);
  const folders = (requested.length > 0 ? requested : readdirSync(packagesDirectory))
    .filter((folder) => statSync(join(packagesDirectory, folder), { throwIfNoEntry: false })?.isDirectory())
    .sort();
  let total = 0;
  for (const folder of folders) {
    const packageDirectory = join(packagesDirectory, folder);
    const problems = [];
    const entries = checkManifest(packageDirectory, problems);
    checkDocumentation(packageDirectory, entries, problems);
    total += problems.length;
    if (problems.length === 0) {
      console.log(`ok   packages/${folder}`);
    } else {
      console.log(`FAIL packages/${folder} (${problems.length})`);
      for (const problem of problems) console.log(`  - ${problem}`);
    }
  }
  if (total > 0) {
    console.log(`\n${total} problem(s) in ${folders.length} package(s)`);
    process.exitCode = 1;
  }
}

main();
