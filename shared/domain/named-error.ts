/**
 * The base of billflow's typed errors: one class per error, whose `name` is written once, where
 * it is declared, so logs and `Name: message` reasons say which error it was. Callers tell errors
 * apart with `instanceof`, never by comparing names. Pure: every layer's errors.ts extends it.
 */
export function namedError(name: string) {
  return class extends Error {
    override readonly name: string = name;
  };
}
