/** `text` as one line of at most `max` characters, for a title: runs of whitespace become one
 *  space, and a longer text is cut and ends with "…". Panel and history titles, progress
 *  notifications, trace-node titles and the CLI's progress lines all shorten with it. */
export function shorten(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
