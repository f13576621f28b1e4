/** The run panel: header, usage meter with Cancel, final answer, live recursion tree. */
import './litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import type { HostToWebview, Outcome } from '../src/panelProtocol';
import { renderAnswer } from './markdown';
import { RecursionTree } from './recursionTree';
import { RefLinker } from './refs';
import { onHostMessage, post, verifyRefs } from './rpc';
import { UsageMeter } from './usageMeter';

const linker = new RefLinker(verifyRefs, (ref) => post({ type: 'openRef', ref }));
const tree = new RecursionTree(document.getElementById('tree')!, linker);
const meter = new UsageMeter();
const question = document.getElementById('question')!;
const scope = document.getElementById('scope')!;
const answer = document.getElementById('answer')!;
const reason = document.getElementById('reason')!;

document.getElementById('cancel')!.addEventListener('click', () => post({ type: 'cancel' }));
document.getElementById('rerun')!.addEventListener('click', () => post({ type: 'rerun' }));
document.getElementById('expand-all')!.addEventListener('click', () => tree.expandAll());
document.getElementById('collapse-all')!.addEventListener('click', () => tree.collapseAll());

/** `outcome` is absent while the run works. */
function showOutcome(outcome: Outcome | undefined, live: boolean): void {
  meter.setStatus(outcome?.status ?? 'running', live);
  answer.replaceChildren();
  if (outcome?.answer) answer.appendChild(renderAnswer(outcome.answer, linker));
  else if (live) answer.textContent = 'Working…';
  answer.classList.toggle('empty', !outcome?.answer);
  reason.textContent = outcome?.reason ?? '';
  reason.hidden = !outcome?.reason;
}

function handle(msg: Exclude<HostToWebview, { type: 'verifyRefs.reply' }>): void {
  switch (msg.type) {
    case 'init': {
      question.textContent = msg.header.question;
      scope.textContent = msg.header.scope ? `scope: ${msg.header.scope}` : '';
      scope.hidden = !msg.header.scope;
      tree.clear();
      tree.upsert(msg.nodes);
      meter.update(msg.usage);
      showOutcome(msg.outcome, msg.live);
      document.body.dataset.nodes = String(tree.size);
      break;
    }
    case 'nodes':
      tree.upsert(msg.upserts);
      meter.update(msg.usage);
      document.body.dataset.nodes = String(tree.size);
      break;
    case 'outcome':
      meter.update(msg.usage);
      showOutcome(msg.outcome, false);
      break;
  }
}

onHostMessage(handle);
post({ type: 'ready' });
