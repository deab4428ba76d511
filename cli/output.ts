/**
 * Every command prints either a human-readable text or, with --json, exactly one JSON
 * document on stdout. Errors go to stderr with a non-zero exit code.
 */
export interface OutputOptions {
  readonly json?: boolean;
}

export function emit(options: OutputOptions, document: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(document, null, 2)}\n` : `${text()}\n`);
}

/** A plain table for terminals: columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (typeof rows[0]?.[column] === 'number' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A change is stored but its outbound event could not be published now: it waits in the outbox. */
export function pendingFactWarning(done: string, type: string, error: string): string {
  return (
    `billflow: ${done}, but its ${type} event was not published (${error}); it is kept in the outbound outbox ` +
    `and published with the same id by the next hourly invoice run (or now: billflow outbound flush)\n`
  );
}
