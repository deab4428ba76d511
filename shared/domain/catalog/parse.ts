/**
 * Turns a catalog file's text into plain data for validation: JSON for .json, YAML for
 * .yaml/.yml. Syntax errors come back as catalog issues at "(document)" with line:column,
 * the same way validation errors do, so the CLI prints both alike.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { CatalogIssue } from './types.ts';

export type CatalogParse = { ok: true; value: unknown } | { ok: false; issues: CatalogIssue[] };

const DOCUMENT = '(document)';

export function parseCatalogText(text: string, fileName: string): CatalogParse {
  const extension = /\.[^./\\]+$/.exec(fileName)?.[0].toLowerCase();
  if (extension === '.json') return parseJson(text);
  if (extension === '.yaml' || extension === '.yml') return parseYaml(text);
  return {
    ok: false,
    issues: [{ path: DOCUMENT, message: `cannot tell the format of "${fileName}": name it .json, .yaml or .yml` }],
  };
}

function parseJson(text: string): CatalogParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    // V8 says "... in JSON at position 14 (line 2 column 6)"; we print our own line:column.
    const position = Number(/at position (\d+)/.exec(raw)?.[1] ?? text.length);
    const reason = raw.replace(/\s*in JSON at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
    const { line, column } = lineAndColumn(text, position);
    return { ok: false, issues: [{ path: DOCUMENT, message: `line ${line}:${column}: ${reason}` }] };
  }
}

function parseYaml(text: string): CatalogParse {
  const lineCounter = new LineCounter();
  // Duplicate keys are errors (uniqueKeys): the later value must not silently win.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: DOCUMENT, message: `line ${line}:${col}: ${firstLine(error.message)}` };
      }),
    };
  }
  return { ok: true, value: document.toJS() as unknown };
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
