/**
 * The code blocks of README.md and the forms test/package/readme.test.ts runs them in.
 *
 * Rules the README's blocks follow (and this file enforces):
 * - Every fenced block names its language: `ts`, `js` or `sh`.
 * - A `ts`/`js` block is an ES module a user saves as `.mjs`: one-line `import`s first, then code
 *   with top-level `await`, written in the part of TypeScript that is also JavaScript (no type
 *   annotations), so the text itself runs as `.mjs` and compiles under `tsc --strict`.
 * - Its CommonJS form is derived, as a user would write it: each `import` becomes the matching
 *   `require` and the rest is wrapped in an async function (`toCommonJs`); its TypeScript CommonJS
 *   form keeps the `import`s and wraps the rest (`toCommonJsTs`, compiled as `.ts`/`.cts`).
 */
export interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The `## ` heading the block stands under ('' before the first). */
  heading: string;
}

/** Every fenced block of a Markdown text, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^## (.*\S)\s*$/.exec(lines[i]);
    if (h) heading = h[1];
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md:${i + 1}: the code block is not closed`);
    blocks.push({ line: i + 1, lang: open[1], code: lines.slice(i + 1, end).join('\n') + '\n', heading });
    i = end;
  }
  return blocks;
}

interface Split {
  imports: string[];
  body: string;
}

/** A block's leading import lines and the code after them. */
function splitImports(block: CodeBlock): Split {
  const lines = block.code.split('\n');
  let n = 0;
  while (n < lines.length && (lines[n].startsWith('import ') || lines[n].trim() === '')) n++;
  const rest = lines.slice(n);
  const late = rest.findIndex((l) => /^import[\s{*'"]/.test(l));
  if (late >= 0) throw new Error(`README.md:${block.line + 1 + n + late}: imports go at the top of a block, one per line`);
  return { imports: lines.slice(0, n).filter((l) => l.trim() !== ''), body: rest.join('\n') };
}

/** `import … from 'm';` as the `require` a CommonJS user writes. */
function requireOf(block: CodeBlock, line: string): string {
  let m = /^import \* as (\w+) from '([^']+)';$/.exec(line);
  if (m) return `const ${m[1]} = require('${m[2]}');`;
  m = /^import \{([^}]+)\} from '([^']+)';$/.exec(line);
  if (m) {
    const names = m[1].split(',').map((s) => s.trim().replace(/^(\w+) as (\w+)$/, '$1: $2'));
    return `const { ${names.join(', ')} } = require('${m[2]}');`;
  }
  m = /^import '([^']+)';$/.exec(line);
  if (m) return `require('${m[1]}');`;
  throw new Error(`README.md block at line ${block.line}: no CommonJS form for \`${line}\` (use import * as, import { … } or a bare import)`);
}

const wrap = (body: string) =>
  `(async () => {\n${body}\n})().catch((e) => {\n  console.error(e);\n  process.exitCode = 1;\n});\n`;

/** The block as a CommonJS script (.cjs): requires, the rest in an async function. */
export function toCommonJs(block: CodeBlock): string {
  const { imports, body } = splitImports(block);
  return imports.map((l) => requireOf(block, l)).join('\n') + '\n' + wrap(body);
}

/** The block as a CommonJS TypeScript file (.ts under module commonjs, or .cts): imports kept, the rest wrapped. */
export function toCommonJsTs(block: CodeBlock): string {
  const { imports, body } = splitImports(block);
  return imports.join('\n') + '\n' + wrap(body);
}

/** The packages a block imports (bare specifiers), e.g. ['@tensorflow/tfjs', 'tfjs-subspace/data']. */
export function importsOf(block: CodeBlock): string[] {
  return splitImports(block).imports.map((l) => /'([^']+)';$/.exec(l)?.[1] ?? l);
}

/** The commands of a `sh` block: one per line, comments and blank lines dropped. */
export function shellCommands(block: CodeBlock): { command: string; comment: string; line: number }[] {
  return block.code
    .split('\n')
    .map((text, i) => {
      const hash = text.indexOf(' #');
      return {
        command: (hash >= 0 ? text.slice(0, hash) : text).trim(),
        comment: hash >= 0 ? text.slice(hash + 2).trim() : '',
        line: block.line + 1 + i,
      };
    })
    .filter((c) => c.command !== '');
}

/**
 * A shell line split into words (the README's lines need no quoting: a quote fails the test).
 */
export function words(command: string): string[] {
  if (/["'`$\\|;<>]/.test(command.replace(/ && /g, ' '))) throw new Error(`no shell quoting or operators but && in README commands: ${command}`);
  return command.split(/\s+/);
}

/** The Markdown links and images of a text: [text](target). */
export function links(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  markdown.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/\]\(([^)\s]+)\)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out;
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as dashes. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const k = counts.get(base) ?? 0;
    counts.set(base, k + 1);
    anchors.add(k ? `${base}-${k}` : base);
  }
  return anchors;
}
