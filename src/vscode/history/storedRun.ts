/** A finished (or cut-off) run reopened from its trajectory, as a panel feed. */
import type { TraceEvent } from '../../core/trace/types';
import type { InitMessage } from '../../panelProtocol';
import { panelTitle } from '../../runLabel';
import type { PanelFeed } from '../panel/runPanel';
import type { FileSet } from '../panel/fileSets';
import { RefVerifier } from '../panel/refVerifier';
import { TraceViewModel } from '../panel/traceViewModel';

export class StoredRun implements PanelFeed {
  readonly verifier: RefVerifier;
  private readonly vm = new TraceViewModel();

  /** `files(scope)`: which workspace paths the run's references may link to (the scan's rules). */
  constructor(
    readonly key: string,
    events: TraceEvent[],
    live: boolean,
    private readonly onRerun: () => void,
    files: (scope: string | undefined) => FileSet,
  ) {
    for (const e of events) this.vm.apply(e);
    this.verifier = new RefVerifier(files(this.vm.header?.scope));
    if (!live) this.vm.markInterrupted('The run was cut off (VS Code closed or reloaded while it worked).');
  }

  get title(): string {
    return panelTitle(this.vm.header?.question ?? 'run', this.vm.header?.startedAt ?? 0);
  }

  get question(): string | undefined {
    return this.vm.header?.question;
  }

  get scope(): string | undefined {
    return this.vm.header?.scope;
  }

  snapshot(): InitMessage {
    return {
      type: 'init',
      header: this.vm.header ?? { runId: this.key, question: '(unknown question)', startedAt: 0 },
      nodes: this.vm.allNodes(),
      usage: this.vm.usage(),
      outcome: this.vm.outcome,
      live: false,
    };
  }

  rerun(): void {
    this.onRerun();
  }
}
