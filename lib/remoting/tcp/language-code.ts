/**
 * LanguageCode as the binary header numbers it (LanguageCode.java). NODE_JS only exists in 5.x develop, so
 * older peers cannot name it; the client keeps sending JAVA like the other non-Java clients.
 */
const LANGUAGE_CODES: readonly string[] = [
  'JAVA', 'CPP', 'DOTNET', 'PYTHON', 'DELPHI', 'ERLANG', 'RUBY', 'OTHER', 'HTTP', 'GO', 'PHP', 'OMS', 'RUST', 'NODE_JS',
];

const OTHER = 7;

const BY_NAME: ReadonlyMap<string, number> = new Map(LANGUAGE_CODES.map((name, code) => [name, code]));

/** The binary code of a language name; unknown names travel as OTHER rather than failing the frame. */
export function languageToCode(name: string): number {
  return BY_NAME.get(name) ?? OTHER;
}

/** The name of a binary language code; codes newer than this table read as OTHER. */
export function languageFromCode(code: number): string {
  return LANGUAGE_CODES[code] ?? 'OTHER';
}
