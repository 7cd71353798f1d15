import { localState } from './local-state.js';
import type { Module } from './module.js';

/**
 * PyTorch's `Module.__repr__`: the class name, then the extra description
 * and the children, one per line and indented by two spaces; a single-line
 * extra description with no children stays on the name's line.
 */
export function formatModule(module: Module): string {
  const extra = module.extraRepr();
  const extraLines = extra === '' ? [] : extra.split('\n');
  const childLines: string[] = [];
  for (const [name, child] of module[localState]().modules) {
    childLines.push(`(${name}): ${indentFollowingLines(child === null ? 'None' : child.toString(), 2)}`);
  }
  const lines = [...extraLines, ...childLines];
  let text = `${module.getName()}(`;
  if (lines.length > 0) {
    text += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
  }
  return `${text})`;
}

/** PyTorch's `_addindent`: indents every line but the first. */
function indentFollowingLines(text: string, spaces: number): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const padding = ' '.repeat(spaces);
  return [lines[0], ...lines.slice(1).map((line) => padding + line)].join('\n');
}
