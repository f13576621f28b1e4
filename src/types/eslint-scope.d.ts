// eslint-scope 8 ships no type declarations; this covers the part transform.ts uses.
declare module 'eslint-scope' {
  export interface Reference {
    identifier: { type: 'Identifier'; name: string; start: number; end: number };
    /** The variable the name resolves to in an enclosing scope; null when free (or a dynamic global). */
    resolved: unknown;
    isRead(): boolean;
    isWrite(): boolean;
  }
  export interface Scope {
    references: Reference[];
  }
  export interface ScopeManager {
    scopes: Scope[];
  }
  export function analyze(
    ast: object,
    options?: { ecmaVersion?: number; sourceType?: 'script' | 'module' | 'commonjs'; impliedStrict?: boolean; ignoreEval?: boolean },
  ): ScopeManager;
}
