import { describe, expect, it } from '@jest/globals';
import { compileSql92, Sql92SyntaxError } from '../../../lib/filter/index.js';

const match = (expr: string, props: Record<string, string>) => compileSql92(expr).evaluate(props);

function syntaxError(expr: string): Sql92SyntaxError {
  try {
    compileSql92(expr);
  } catch (err) {
    expect(err).toBeInstanceOf(Sql92SyntaxError);
    return err as Sql92SyntaxError;
  }
  throw new Error(`"${expr}" compiled`);
}

describe('SQL92 filter', () => {
  it('golden vectors from the seeds', () => {
    expect(match("a > 5 AND b = 'abc'", { a: '10', b: 'abc', c: 'true' })).toBe(true);
    expect(match("a > 5 AND b = 'abc'", { a: '1', b: 'abc', c: 'true' })).toBe(false);
    const hits = Array.from({ length: 10 }, (_, i) => i).filter((i) => match('a between 0 and 3', { a: String(i) }));
    expect(hits).toEqual([0, 1, 2, 3]);
  });

  it('numeric comparisons convert the property; decimals and negatives', () => {
    expect(match('a >= 10', { a: '10' })).toBe(true);
    expect(match('a < -1', { a: '-2' })).toBe(true);
    expect(match('a <= 2.5', { a: '2.5' })).toBe(true);
    expect(match('a > 2.5', { a: '3' })).toBe(true);
    expect(match('a = 3', { a: '3' })).toBe(true);
    expect(match('a <> 3', { a: '4' })).toBe(true);
    expect(match('a NOT BETWEEN 1 AND 3', { a: '5' })).toBe(true);
    expect(match('a NOT BETWEEN 1 AND 3', { a: '2' })).toBe(false);
    // An integer literal wants a Java Long: "2.5" is not one, so the whole expression does not match.
    expect(match('a > 1', { a: '2.5' })).toBe(false);
    expect(match('a > 1 OR b IS NULL', { a: 'abc' })).toBe(false);
    expect(match('a > b', { a: '3', b: '2' })).toBe(true);
  });

  it('strings, IN, NOT IN, booleans, case-insensitive keywords, quotes', () => {
    expect(match("b = 'abc'", { b: 'abc' })).toBe(true);
    expect(match("b <> 'abc'", { b: 'abd' })).toBe(true);
    expect(match("b in ('x', 'y')", { b: 'y' })).toBe(true);
    expect(match("b NOT IN ('x', 'y')", { b: 'z' })).toBe(true);
    expect(match("b NOT IN ('x', 'y')", { b: 'x' })).toBe(false);
    expect(match("b = 'it''s'", { b: "it's" })).toBe(true);
    expect(match('c = TRUE', { c: 'true' })).toBe(true);
    expect(match('c = false', { c: 'true' })).toBe(false);
    expect(match('TRUE', {})).toBe(true);
    expect(match('FALSE OR (a > 1 AND NOT (a > 5))', { a: '3' })).toBe(true);
    expect(match('user.id = 7 AND $x_1 IS NOT NULL', { 'user.id': '7', $x_1: 'v' })).toBe(true);
    expect(match("b CONTAINS 'bc' AND b STARTSWITH 'a' AND b NOT ENDSWITH 'z'", { b: 'abc' })).toBe(true);
    expect(match("a = 1 -- trailing comment\n /* block */ AND b = 'x'", { a: '1', b: 'x' })).toBe(true);
  });

  it('null semantics: a missing property is unknown, NOT unknown is unknown, only TRUE matches', () => {
    expect(match('a > 1', {})).toBe(false);
    expect(match('NOT (a > 1)', {})).toBe(false);
    expect(match("b <> 'x'", {})).toBe(false);
    expect(match("b IN ('x')", {})).toBe(false);
    expect(match("b NOT IN ('x')", {})).toBe(false);
    expect(match('a IS NULL', {})).toBe(true);
    expect(match('a IS NOT NULL', {})).toBe(false);
    expect(match('a > 1 OR TRUE', {})).toBe(true);
    expect(match('a > 1 AND FALSE', {})).toBe(false);
    expect(match('c', { c: 'true' })).toBe(false);
  });

  it('syntax errors carry the 0-based position and a caret', () => {
    const cases: Array<[string, number]> = [
      ['a >', 3],
      ["a > 'x'", 4],
      ['a = = 1', 4],
      ["b IN ('x' 'y')", 10],
      ['a > 1 AND', 9],
      ["b = 'open", 4],
      ['a # 1', 2],
      ['(a > 1', 6],
      ['a BETWEEN 5 AND 1', 10],
      ['5', 0],
      ['NOT a > 1', 0],
      ['', 0],
      ['a = NULL', 4],
    ];
    for (const [expr, position] of cases) {
      const err = syntaxError(expr);
      expect({ expr, position: err.position }).toEqual({ expr, position });
      expect(err.name).toBe('Sql92SyntaxError');
      const lines = err.message.split('\n');
      expect(lines[1]).toBe(`  ${expr}`);
      expect(lines[2]).toBe(`  ${' '.repeat(position)}^`);
    }
  });
});
