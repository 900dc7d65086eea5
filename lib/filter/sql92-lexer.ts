import { Sql92SyntaxError } from './sql92-syntax.error.js';
import { SQL92_KEYWORDS, Sql92Token, Sql92TokenType } from './sql92-token.js';

const OPERATORS = ['<>', '>=', '<=', '=', '>', '<', '(', ')', ',', '+', '-'];

/**
 * Splits a SQL92 filter expression into tokens, following the lexical rules of RocketMQ's selector
 * grammar: `--` and block comments are skipped, strings are single-quoted with `''` as the escape,
 * integers carry no leading zero (an optional `L` suffix is accepted), decimals may have an exponent.
 * Identifiers also accept `.`, which RocketMQ's grammar does not, so dotted property names work.
 */
export function tokenizeSql92(text: string): Sql92Token[] {
  const tokens: Sql92Token[] = [];
  const n = text.length;
  let i = 0;
  const fail = (position: number, reason: string): never => {
    throw new Sql92SyntaxError(text, position, reason);
  };
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) fail(i, 'unterminated comment');
      i = end + 2;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) fail(start, 'unterminated string literal');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ type: Sql92TokenType.STRING, value, position: start });
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      i = readNumber(text, i, tokens, fail);
      continue;
    }
    if (isIdentifierStart(c)) {
      while (i < n && isIdentifierPart(text[i])) i++;
      const word = text.slice(start, i);
      const upper = word.toUpperCase();
      if (SQL92_KEYWORDS.has(upper)) tokens.push({ type: Sql92TokenType.KEYWORD, value: upper, position: start });
      else tokens.push({ type: Sql92TokenType.IDENTIFIER, value: word, position: start });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ type: Sql92TokenType.OPERATOR, value: op, position: start });
      i += op.length;
      continue;
    }
    fail(i, `unexpected character '${c}'`);
  }
  tokens.push({ type: Sql92TokenType.EOF, value: '', position: n });
  return tokens;
}

function readNumber(text: string, start: number, tokens: Sql92Token[], fail: (position: number, reason: string) => never): number {
  let i = start;
  const n = text.length;
  while (i < n && isDigit(text[i])) i++;
  let decimal = false;
  if (text[i] === '.') {
    decimal = true;
    i++;
    while (i < n && isDigit(text[i])) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    let j = i + 1;
    if (text[j] === '+' || text[j] === '-') j++;
    if (isDigit(text[j])) {
      while (j < n && isDigit(text[j])) j++;
      decimal = true;
      i = j;
    }
  }
  let image = text.slice(start, i);
  if (!decimal) {
    // The grammar has no leading zeros: "07" would be two tokens and fail later, so say why right here.
    if (image.length > 1 && image[0] === '0') fail(start, `integer literal ${image} must not have a leading zero`);
    if (text[i] === 'l' || text[i] === 'L') i++;
  }
  if (isIdentifierStart(text[i] ?? ' ')) fail(i, `unexpected character '${text[i]}' after number ${image}`);
  image = image.replace(/[lL]$/, '');
  tokens.push({ type: decimal ? Sql92TokenType.DECIMAL : Sql92TokenType.INTEGER, value: image, position: start });
  return i;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdentifierStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
}

function isIdentifierPart(c: string): boolean {
  return isIdentifierStart(c) || isDigit(c) || c === '.';
}
