/**
 * The report's chart as a standalone SVG file: accuracy (with its 95% interval) against cost per
 * question, one point per mode. A file referenced from the Markdown, because both places the
 * report is read render it: GitHub shows relative SVG images, and VS Code's Markdown preview
 * shows local SVG images (microsoft/vscode#120156). Mermaid would not do: VS Code's built-in
 * preview does not render it, and its xychart has no scatter plot. Inline <svg> is stripped by GitHub.
 */
import type { ModeSummary } from './stats';

const W = 640;
const H = 380;
const M = { left: 64, right: 170, top: 40, bottom: 56 };
const COLOURS: Record<string, string> = { rlm: '#1f6feb', direct: '#d9480f' };
export const MODE_LABEL: Record<string, string> = { rlm: 'RLM', direct: 'direct' };

export function accuracyCostSvg(summaries: ModeSummary[]): string {
  const known = summaries.map((s) => s.costPerQuestion).filter((c): c is number => c !== null);
  const xMax = niceCeil(Math.max(0, ...known) * 1.15 || 0.01);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (usd: number) => M.left + (usd / xMax) * pw;
  const y = (acc: number) => M.top + (1 - acc) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  // An opaque background: the report is read in dark themes too.
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold" fill="#111">Accuracy vs cost per question</text>`);
  for (let i = 0; i <= 5; i++) {
    const acc = i / 5;
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(acc)}" y2="${y(acc)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 8}" y="${y(acc) + 4}" text-anchor="end" fill="#444">${Math.round(acc * 100)}%</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const usd = (xMax * i) / 4;
    out.push(`<line x1="${x(usd)}" x2="${x(usd)}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#444"/>`);
    out.push(`<text x="${x(usd)}" y="${M.top + ph + 18}" text-anchor="middle" fill="#444">$${trim(usd)}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle" fill="#111">cost per question (USD)</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#111">accuracy (95% interval)</text>`);
  summaries.forEach((s, i) => {
    if (s.accuracy === null) return;
    const colour = COLOURS[s.mode] ?? '#555';
    const px = s.costPerQuestion === null ? M.left : x(s.costPerQuestion);
    const py = y(s.accuracy);
    if (s.ci95) {
      const [lo, hi] = [y(s.ci95.low), y(s.ci95.high)];
      out.push(`<line x1="${px}" x2="${px}" y1="${hi}" y2="${lo}" stroke="${colour}" stroke-width="2"/>`);
      out.push(`<line x1="${px - 6}" x2="${px + 6}" y1="${hi}" y2="${hi}" stroke="${colour}" stroke-width="2"/>`);
      out.push(`<line x1="${px - 6}" x2="${px + 6}" y1="${lo}" y2="${lo}" stroke="${colour}" stroke-width="2"/>`);
    }
    out.push(`<circle cx="${px}" cy="${py}" r="6" fill="${colour}"${s.costPerQuestion === null ? ' fill-opacity="0.35"' : ''}/>`);
    const cost = s.costPerQuestion === null ? 'cost unknown' : `$${trim(s.costPerQuestion)}/q`;
    const label = `${MODE_LABEL[s.mode] ?? s.mode}: ${(s.accuracy * 100).toFixed(1)}%, ${cost}`;
    out.push(`<text x="${M.left + pw + 12}" y="${M.top + 16 + i * 20}" fill="${colour}">● ${escapeXml(label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function trim(usd: number): string {
  return usd === 0 ? '0' : usd < 0.01 ? usd.toPrecision(2) : usd.toFixed(usd < 1 ? 3 : 2).replace(/0+$/, '').replace(/\.$/, '');
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
