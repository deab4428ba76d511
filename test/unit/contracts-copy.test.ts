/**
 * docs/contracts.md is the repository's copy of the external contract that code comments cite
 * as "CONTRACTS.md section N": every cited section must exist in it, and its body must equal
 * the original wherever the original sits beside the clone (../shared/CONTRACTS.md).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const copy = readFileSync(join(root, 'docs/contracts.md'), 'utf8');
const body = copy.replace(/^<!--[\s\S]*?-->\n\n/, '');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('docs/contracts.md', () => {
  it('says at its top that it is a copy, and of what', () => {
    expect(copy.startsWith('<!--')).toBe(true);
    expect(copy.slice(0, 400)).toContain('A copy of billflow');
    expect(body.startsWith('# billflow: external contracts')).toBe(true);
  });

  it('has every section the code comments cite', () => {
    const cited = new Set<string>();
    for (const dir of ['shared', 'functions', 'infra', 'cli', 'test']) {
      for (const file of sourceFiles(join(root, dir))) {
        for (const match of readFileSync(file, 'utf8').matchAll(/CONTRACTS\.md sections? (\d+)(?: and (\d+))?/g)) {
          cited.add(match[1]!);
          if (match[2] !== undefined) cited.add(match[2]);
        }
      }
    }
    expect(cited.size).toBeGreaterThan(3);
    for (const section of cited) expect(body, `section ${section}`).toMatch(new RegExp(`^## ${section}\\. `, 'm'));
  });

  it('is the original word for word when the original sits beside the clone', () => {
    const original = join(root, '../shared/CONTRACTS.md');
    // Where no original is beside the clone (a plain checkout), the copy is what there is.
    const expected = existsSync(original) ? readFileSync(original, 'utf8') : body;
    expect(body).toBe(expected);
  });
});
