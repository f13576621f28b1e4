/** Start offsets of the lines of one text, built once per cached text: a range read then costs
 *  the range (two array reads and a slice), never a split of the whole text. */
export class LineIndex {
  /** How many indexes were built in this process (tests pin "once per cached text" with it). */
  static builds = 0;
  /** starts[i] is the offset of line i + 1; one extra entry past the last line's end. */
  private readonly starts: Uint32Array | Float64Array;
  /** Lines as the scan counts them: a final '\n' ends the last line, it does not start one. */
  readonly lines: number;

  constructor(private readonly text: string) {
    LineIndex.builds++;
    let n = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    const lines = text.length === 0 ? 0 : text.endsWith('\n') ? n : n + 1;
    const starts = text.length < 2 ** 32 ? new Uint32Array(lines + 1) : new Float64Array(lines + 1);
    let k = 1;
    for (let i = text.indexOf('\n'); i !== -1 && k <= lines; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
    // Past the last line: one beyond its end (where its '\n' would be), so line() can drop it.
    starts[lines] = text.endsWith('\n') ? text.length : text.length + 1;
    this.starts = starts;
    this.lines = lines;
  }

  /** Bytes the index holds (counted against the content cache). */
  get bytes(): number {
    return this.starts.byteLength;
  }

  /** Lines `start`..`end` (1-based, inclusive, within 1..lines), joined with '\n' as in the file. */
  slice(start: number, end: number): string {
    return this.text.slice(this.starts[start - 1], this.starts[end] - 1);
  }

  /** One line (1-based) without its line break ('\r' of a CRLF file included). */
  line(n: number): string {
    return this.slice(n, n);
  }
}
