/**
 * Reads the events for `billflow events send`: a JSON array, or NDJSON (one JSON value per
 * line). A line that is not JSON is refused with its number, and nothing is sent: the file is
 * the user's to fix. Whether each event is a valid CloudEvent is the pipeline's to judge.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

export function readEventsFile(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed;
    } catch (error) {
      throw new UsageError(`${path} starts like a JSON array but is not valid JSON: ${(error as Error).message}`);
    }
  }
  const events: unknown[] = [];
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      events.push(JSON.parse(line));
    } catch (error) {
      bad.push(`line ${index + 1}: ${(error as Error).message}`);
    }
  });
  if (bad.length > 0) {
    throw new UsageError(
      `${path} is neither a JSON array nor NDJSON; lines that are not JSON:\n  ${bad.slice(0, 20).join('\n  ')}${bad.length > 20 ? `\n  ... and ${bad.length - 20} more` : ''}`,
    );
  }
  return events;
}
