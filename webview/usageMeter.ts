/** Tokens, cost, elapsed time and sub-calls of the run, with the Cancel button. */
import type { RunStatus, UsageView } from '../src/panelProtocol';
import { formatCost, formatCount, formatMs } from './format';

export class UsageMeter {
  private readonly tokens = document.getElementById('usage-tokens')!;
  private readonly cost = document.getElementById('usage-cost')!;
  private readonly elapsed = document.getElementById('usage-elapsed')!;
  private readonly subcalls = document.getElementById('usage-subcalls')!;
  private readonly iterations = document.getElementById('usage-iterations')!;
  private readonly status = document.getElementById('status')!;
  private readonly savedItem = document.getElementById('usage-saved-item')!;
  private readonly saved = document.getElementById('usage-saved')!;
  private usage: UsageView | undefined;
  private liveSince: number | undefined;
  private timer: number | undefined;

  update(usage: UsageView): void {
    this.usage = usage;
    this.liveSince = this.timer !== undefined ? Date.now() - usage.elapsedMs : undefined;
    this.paint();
  }

  setStatus(status: RunStatus | 'running', live: boolean): void {
    this.status.textContent = status;
    this.status.className = `status status-${status}`;
    document.body.classList.toggle('live', live);
    if (live && this.timer === undefined) {
      this.liveSince = Date.now() - (this.usage?.elapsedMs ?? 0);
      this.timer = window.setInterval(() => this.paint(), 500);
    } else if (!live && this.timer !== undefined) {
      window.clearInterval(this.timer);
      this.timer = undefined;
      this.liveSince = undefined;
    }
    this.paint();
  }

  private paint(): void {
    const u = this.usage;
    if (!u) return;
    this.tokens.textContent = formatCount(u.tokens);
    this.cost.textContent = formatCost(u.costUsd);
    this.elapsed.textContent = formatMs(this.liveSince !== undefined ? Date.now() - this.liveSince : u.elapsedMs);
    this.subcalls.textContent = String(u.subcalls);
    this.iterations.textContent = u.maxIterations ? `${u.iterations}/${u.maxIterations}` : String(u.iterations);
    this.savedItem.hidden = !u.saved;
    this.saved.textContent = u.saved ? `${formatCount(u.saved.tokens)} tokens / ${formatCost(u.saved.costUsd)}` : '';
  }
}
