import type { CodeSymbol, Occurrence } from './extract';

/** Messages between the host (parserThread.ts) and the parser thread (structureWorker.ts). */

export interface ParseFile {
  path: string;
  /** Grammar name (GRAMMAR_BY_LANGUAGE's values). */
  grammar: string;
  text: string;
}

export type ParseRequest =
  | { id: number; op: 'outline'; files: ParseFile[]; maxSymbols: number; deadline: number }
  | { id: number; op: 'occurrences'; files: ParseFile[]; name: string; maxSymbols: number; deadline: number };

export interface FileOutcome {
  path: string;
  symbols?: CodeSymbol[];
  occurrences?: Occurrence[];
  /** The walk was cut (result cap or time limit); `timedOut` says which. */
  cut?: boolean;
  error?: string;
}

export type ParseReply =
  | { id: number; ok: true; files: FileOutcome[]; timedOut: boolean }
  | { id: number; ok: false; message: string };

export interface ParserThreadData {
  /** Folder of tree-sitter.wasm and the tree-sitter-<grammar>.wasm files. */
  wasmDir: string;
}
