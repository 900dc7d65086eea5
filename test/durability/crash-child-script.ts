import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The compiled child broker. Tests run from TypeScript sources, but a forked child cannot: `npm test`
 * builds first (pretest), which emits it under dist/.
 */
export function crashChildScript(projectRoot = process.cwd()): string {
  const script = join(projectRoot, 'dist', 'test', 'durability', 'broker-child.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run "npm run build" (npm test does it in pretest)`);
  return script;
}
