// The parser thread (ParserThread in parserThread.ts starts it; esbuild.mjs bundles it as
// dist/structureWorker.js): parses file texts the host sent with tree-sitter (WASM grammars of
// @vscode/tree-sitter-wasm, loaded from the folder the host names: nothing is downloaded) and
// answers with outlines or identifier occurrences. The host's timer terminates it if it hangs.
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { Language, Parser } from '@vscode/tree-sitter-wasm';
import { occurrencesOf, outlineOf } from './extract';
import { MAX_OUTLINE_SYMBOLS } from './types';
import type { FileOutcome, ParseReply, ParseRequest, ParserThreadData } from './structureTypes';

const { wasmDir } = workerData as ParserThreadData;
let ready: Promise<void> | undefined;
const parsers = new Map<string, Promise<Parser>>();

function parserFor(grammar: string): Promise<Parser> {
  ready ??= Parser.init({ locateFile: (file: string) => path.join(wasmDir, file) });
  let p = parsers.get(grammar);
  if (!p) {
    p = ready.then(async () => {
      const language = await Language.load(path.join(wasmDir, `tree-sitter-${grammar}.wasm`));
      const parser = new Parser();
      parser.setLanguage(language);
      return parser;
    });
    parsers.set(grammar, p);
  }
  return p;
}

async function handle(req: ParseRequest): Promise<ParseReply> {
  const out: FileOutcome[] = [];
  const late = () => Date.now() > req.deadline;
  let timedOut = false;
  for (const f of req.files) {
    if (late()) {
      timedOut = true;
      break;
    }
    try {
      const parser = await parserFor(f.grammar);
      // The progress callback cancels a parse that runs past the call's deadline.
      const tree = parser.parse(f.text, null, { progressCallback: () => late() });
      if (!tree) {
        timedOut = true;
        break;
      }
      try {
        if (req.op === 'outline') {
          const { symbols, cut } = outlineOf(tree, f.grammar, req.maxSymbols, late);
          out.push({ path: f.path, symbols, cut });
        } else {
          const { found, cut } = occurrencesOf(tree, req.name, req.maxSymbols, late);
          // The outline too, when there is a hit: each occurrence gets its enclosing definition.
          const symbols = found.length > 0 ? outlineOf(tree, f.grammar, MAX_OUTLINE_SYMBOLS, late).symbols : [];
          out.push({ path: f.path, occurrences: found, symbols, cut });
        }
      } finally {
        tree.delete();
      }
      if (late()) {
        timedOut = true;
        break;
      }
    } catch (err) {
      out.push({ path: f.path, error: err instanceof Error ? err.message.slice(0, 300) : 'parse failed' });
    }
  }
  return { id: req.id, ok: true, files: out, timedOut };
}

parentPort!.on('message', (req: ParseRequest) => {
  handle(req).then(
    (reply) => parentPort!.postMessage(reply),
    (err: unknown) => parentPort!.postMessage({ id: req.id, ok: false, message: err instanceof Error ? err.message : 'parser thread error' }),
  );
});
