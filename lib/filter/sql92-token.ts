/** Kinds of token the SQL92 lexer produces. Keywords are matched case-insensitively. */
export const Sql92TokenType = {
  IDENTIFIER: 'identifier',
  STRING: 'string',
  INTEGER: 'integer',
  DECIMAL: 'decimal',
  KEYWORD: 'keyword',
  OPERATOR: 'operator',
  EOF: 'end of expression',
} as const;

export type Sql92TokenType = (typeof Sql92TokenType)[keyof typeof Sql92TokenType];

/** The reserved words of RocketMQ's selector grammar (SelectorParser.jj), upper-cased. */
export const SQL92_KEYWORDS: ReadonlySet<string> = new Set([
  'NOT',
  'AND',
  'OR',
  'BETWEEN',
  'IN',
  'TRUE',
  'FALSE',
  'NULL',
  'IS',
  'CONTAINS',
  'STARTSWITH',
  'ENDSWITH',
]);

export interface Sql92Token {
  type: Sql92TokenType;
  /** Upper-cased for keywords, unquoted for strings, the source text otherwise. */
  value: string;
  /** 0-based index of the token's first character. */
  position: number;
}
