/** One `${key}` or `${key:default}` occurrence. */
const PLACEHOLDER = /\$\{([^}:]+)(?::([^}]*))?\}/g;

export type PlaceholderLookup = (key: string) => string | undefined;

/**
 * Resolves Spring-style placeholders in listener attributes. Lookup order: the module's
 * `resolvePlaceholder`, then `properties`, then `process.env`; then the default after `:`.
 */
export class PlaceholderResolver {
  constructor(
    private readonly resolvePlaceholder: PlaceholderLookup | undefined,
    private readonly properties: Record<string, string>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The value with every placeholder replaced; the keys nothing resolved are reported in `missing`. */
  resolve(value: string): { value: string; missing: string[] } {
    const missing: string[] = [];
    const resolved = value.replace(PLACEHOLDER, (whole, key: string, fallback: string | undefined) => {
      const name = key.trim();
      const found = this.resolvePlaceholder?.(name) ?? this.properties[name] ?? this.env[name] ?? fallback;
      if (found === undefined) {
        missing.push(name);
        return whole;
      }
      return String(found);
    });
    return { value: resolved, missing };
  }
}
