/**
 * How a run is named in the panel's header, its tab and the history view (pure; the webview and the
 * extension both use it). Explain This Folder sends the model a long prompt; people see "Explain <folder>".
 */
const EXPLAIN = /^Explain the folder `([^`\n]{1,300})`:/;

export function explainFolderQuestion(folder: string): string {
  return `Explain the folder \`${folder}\`: what it does, its main parts and how they connect. Cite the files you rely on as path:line.`;
}

/** The question as people read it: one line, an Explain This Folder prompt as "Explain <folder>". */
export function questionLabel(question: string): string {
  const m = EXPLAIN.exec(question);
  return m ? `Explain ${m[1]}` : question.replace(/\s+/g, ' ').trim();
}

/** Clock time of a run's start, e.g. "14:03" (today) or "Nov 30 14:03", so similar runs differ. */
export function startLabel(startedAt: number, now = Date.now()): string {
  const d = new Date(startedAt);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === d.toDateString() ? time : `${d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${time}`;
}

/** A panel tab's title: "RLM 14:03: <question…>". */
export function panelTitle(question: string, startedAt: number, max = 40): string {
  const q = questionLabel(question);
  return `RLM ${startLabel(startedAt)}: ${q.length > max ? `${q.slice(0, max - 1)}…` : q}`;
}
