/** The history row's description (pure, unit-tested). */
import { startLabel } from '../../runLabel';
import type { HistoryEntry } from './historyStore';

/** Status, start time and cost, so rows of similar questions differ: "answered · 14:03 · $0.02". A run
 *  that spent nothing shows no cost (a failed run's "$0" read as a price); an unknown price says so. */
export function historyDescription(entry: HistoryEntry, now = Date.now()): string {
  const parts: string[] = [entry.status, startLabel(entry.startedAt, now)];
  const rel = whenText(entry.startedAt, now);
  if (rel === 'just now' || rel.endsWith('ago')) parts[1] += ` (${rel})`;
  if (entry.status !== 'running' && entry.status !== 'interrupted') {
    if (entry.costUsd === null) parts.push('cost unknown');
    else if (entry.costUsd > 0) parts.push(costText(entry.costUsd));
  }
  if (entry.scope) parts.push(entry.scope);
  return parts.join(' · ');
}

export function costText(usd: number): string {
  if (usd === 0) return '$0';
  return `$${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

export function whenText(ts: number, now = Date.now()): string {
  const s = Math.round((now - ts) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ts).toLocaleDateString();
}
