/** One benchmark figure beside the reference measured in the same run. */
export interface Row {
  measure: string;
  value: string;
  reference: string;
  ratio: string;
  goal: string;
}

export function formatTable(rows: Row[]): string {
  const head = ['measure', 'value', 'reference (same run)', 'ratio', 'goal'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${[r.measure, r.value, r.reference, r.ratio, r.goal].join(' | ')} |`);
  return lines.join('\n');
}
