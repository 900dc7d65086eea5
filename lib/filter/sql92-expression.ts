import { Sql92EvaluationError, Sql92Node } from './sql92-nodes.js';
import { parseSql92 } from './sql92-parser.js';

/**
 * A compiled SQL92 filter (RocketMQ's `MessageSelector.bySql`). Immutable and safe to share: compile once
 * per subscription and evaluate per message.
 */
export class Sql92Expression {
  private constructor(
    /** The expression as written. */
    readonly text: string,
    private readonly root: Sql92Node,
  ) {}

  /** Parses `text`; throws Sql92SyntaxError with the position of the first problem. */
  static compile(text: string): Sql92Expression {
    return new Sql92Expression(text, parseSql92(text));
  }

  /**
   * Whether a message with these properties matches. Only a definite TRUE matches: unknown (a missing
   * property) and evaluation errors (a non-numeric property compared with a number) do not, as in RocketMQ.
   */
  evaluate(props: Record<string, string>): boolean {
    try {
      return this.root.evaluate(props) === true;
    } catch (err) {
      if (err instanceof Sql92EvaluationError) return false;
      throw err;
    }
  }

  toString(): string {
    return this.text;
  }
}

/** Compiles a SQL92 filter expression; throws Sql92SyntaxError (with `position`) when it does not parse. */
export function compileSql92(text: string): Sql92Expression {
  return Sql92Expression.compile(text);
}
