import { compileSql92, Sql92Expression } from '../../filter/index.js';

interface CompiledFilter {
  subVersion: number;
  expression: string;
  compiled: Sql92Expression;
}

/**
 * Compiled SQL92 subscriptions per (group, topic), rebuilt when the subscription's version or text
 * changes (ConsumerFilterManager), so each pull reuses the parsed tree.
 */
export class ConsumerFilterManager {
  private readonly table = new Map<string, CompiledFilter>();

  /** The compiled expression; throws Sql92SyntaxError when it does not parse. */
  get(group: string, topic: string, expression: string, subVersion: number): Sql92Expression {
    const key = `${topic}@${group}`;
    const cached = this.table.get(key);
    if (cached && cached.subVersion === subVersion && cached.expression === expression) return cached.compiled;
    const compiled = compileSql92(expression);
    this.table.set(key, { subVersion, expression, compiled });
    return compiled;
  }

  unregister(group: string): void {
    const suffix = `@${group}`;
    for (const key of [...this.table.keys()]) if (key.endsWith(suffix)) this.table.delete(key);
  }
}
