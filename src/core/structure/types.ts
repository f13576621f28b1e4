import type { SymbolKind } from './grammars';

/** What `outline`, `enclosing`, `definitions` and `references` return to model code. Lines are
 *  1-based and inclusive; paths are workspace paths. */
export interface OutlineSymbol {
  name: string;
  kind: SymbolKind | string;
  start: number;
  end: number;
  container?: string;
}

export interface Definition {
  path: string;
  line: number;
  end: number;
  kind: SymbolKind | string;
  name: string;
  container?: string;
}

export interface Reference {
  path: string;
  line: number;
  text: string;
  /** `Container.name` of the innermost definition holding the line, when there is one. */
  enclosing?: string;
  /** The lines of that definition, to read it whole without another enclosing() call. */
  enclosingStart?: number;
  enclosingEnd?: number;
}

export interface SearchOptions {
  glob?: string;
  exclude?: string;
  maxResults?: number;
}

/** A list and whether it was cut; `note` says what cut it and how to narrow the ask. */
export interface Listed<T> {
  items: T[];
  truncated: boolean;
  note?: string;
}

/** Code structure over one workspace: tree-sitter in the CLI and tests (TreeSitterStructure), the
 *  user's language servers first inside VS Code (src/vscode/languageServerStructure.ts). */
export interface CodeStructure {
  outline(path: string, signal?: AbortSignal): Promise<Listed<OutlineSymbol>>;
  enclosing(path: string, line: number, signal?: AbortSignal): Promise<OutlineSymbol | null>;
  definitions(name: string, options: SearchOptions, signal?: AbortSignal): Promise<Listed<Definition>>;
  references(name: string, options: SearchOptions, signal?: AbortSignal): Promise<Listed<Reference>>;
}

/** The limits of code structure calls; each has a default, a setting and a CLI flag. */
export interface StructureLimits {
  /** Files parsed by one definitions/references call (after the grep pre-filter). */
  maxFiles: number;
  /** Wall time of one call's parsing. */
  timeoutMs: number;
  /** Files larger than this are not parsed (outline refuses; definitions/references skip them). */
  maxFileBytes: number;
}

export const DEFAULT_STRUCTURE_LIMITS: StructureLimits = {
  maxFiles: 300,
  timeoutMs: 10_000,
  maxFileBytes: 512 * 1024,
};

export const DEFAULT_STRUCTURE_RESULTS = 100;
export const HARD_STRUCTURE_RESULTS = 1000;
/** Definitions listed for one file by outline. */
export const MAX_OUTLINE_SYMBOLS = 2000;
