/**
 * The nesting depth of a JSON text, measured by scanning its characters once with a counter,
 * never by walking the parsed value: JSON.stringify, zod and structured clones recurse, and a
 * 60 KB body nested 10,000 levels deep overflows their stack. Used on text JSON.parse already
 * accepted, so only strings (and their escapes) and brackets matter here.
 */

export interface JsonShape {
  /** Deepest nesting of the whole text: a scalar is 0, `{}` and `[]` are 1, `[{}]` is 2. */
  readonly depth: number;
  /** For a top-level array: each element's original text and its own depth, in order. */
  readonly elements?: readonly { readonly text: string; readonly depth: number }[];
}

const OPEN = new Set(['{', '[']);
const CLOSE = new Set(['}', ']']);
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

export function measureJson(text: string): JsonShape {
  let depth = 0;
  let maxDepth = 0;
  let inString = false;
  let escaped = false;
  const firstIndex = firstNonWhitespace(text, 0);
  const isArray = text[firstIndex] === '[';
  const elements: { text: string; depth: number }[] = [];
  let elementStart = -1;
  let elementDepth = 0;

  const endElement = (end: number) => {
    if (elementStart < 0) return;
    elements.push({ text: text.slice(elementStart, end).trimEnd(), depth: elementDepth });
    elementStart = -1;
    elementDepth = 0;
  };

  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    // Inside a top-level array, at its own level: the first significant character starts an element.
    if (isArray && depth === 1 && elementStart < 0 && !WHITESPACE.has(char) && char !== ',' && char !== ']') {
      elementStart = index;
    }
    if (char === '"') {
      inString = true;
    } else if (OPEN.has(char)) {
      depth += 1;
      maxDepth = Math.max(maxDepth, depth);
      if (isArray && depth > 1) elementDepth = Math.max(elementDepth, depth - 1);
    } else if (CLOSE.has(char)) {
      if (isArray && depth === 1) endElement(index);
      depth -= 1;
    } else if (char === ',' && isArray && depth === 1) {
      endElement(index);
    }
  }
  return isArray ? { depth: maxDepth, elements } : { depth: maxDepth };
}

function firstNonWhitespace(text: string, from: number): number {
  let index = from;
  while (index < text.length && WHITESPACE.has(text[index]!)) index += 1;
  return index;
}
