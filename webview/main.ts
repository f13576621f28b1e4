/** The run panel: header, usage meter with Cancel, final answer, live recursion tree. */
import './litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import type { HostToWebview, NodeView, Outcome, UsageView } from '../src/panelProtocol';
import { questionLabel } from '../src/runLabel';
import { renderAnswer } from './markdown';
import { RecursionTree } from './recursionTree';
import { RefLinker } from './refs';
import { addCopyButtons, flash } from './copyButtons';
import { onHostMessage, post, saveState, verifyRefs } from './rpc';
import { renderEarlier } from './sections';
import { UsageMeter } from './usageMeter';

const linker = new RefLinker(verifyRefs, (ref) => post({ type: 'openRef', ref }));
const tree = new RecursionTree(document.getElementById('tree')!, linker);
const meter = new UsageMeter();
const question = document.getElementById('question')!;
const scope = document.getElementById('scope')!;
const answer = document.getElementById('answer')!;
const reason = document.getElementById('reason')!;
const notice = document.getElementById('notice')!;
const costNote = document.getElementById('cost-note')!;
const estimate = document.getElementById('estimate')!;
const activity = document.getElementById('activity')!;
const copyAnswer = document.getElementById('copy-answer')!;
const openMarkdown = document.getElementById('open-markdown')!;
const earlier = document.getElementById('earlier')!;
const followUp = document.getElementById('follow-up') as HTMLFormElement;
const followUpInput = document.getElementById('follow-up-input') as HTMLTextAreaElement;
/** The run this panel shows, and its answer's Markdown once there is one. */
let runId = '';
let answerMarkdown: string | undefined;
/** The host offers follow-ups in this panel. */
let followUps = false;

function askFollowUp(): void {
  const q = followUpInput.value.trim();
  if (!q) return;
  post({ type: 'followUp', question: q });
  followUpInput.value = '';
  followUp.hidden = true;
}
followUp.addEventListener('submit', (e) => {
  e.preventDefault();
  askFollowUp();
});
document.getElementById('follow-up-send')!.addEventListener('click', askFollowUp);
// Enter asks; Shift+Enter makes a new line.
followUpInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    askFollowUp();
  }
});

copyAnswer.addEventListener('click', () => {
  if (answerMarkdown === undefined) return;
  post({ type: 'copy', text: answerMarkdown, what: 'answer' });
  flash(copyAnswer);
});
openMarkdown.addEventListener('click', () => post({ type: 'openMarkdown', runId }));

/** Node updates wait for the next frame and go in together: a streaming reply changes its node up to
 *  ten times a second, and the tree is rebuilt at most once per frame. */
const pendingNodes = new Map<string, NodeView>();
let frame: number | undefined;
function queueNodes(views: NodeView[]): void {
  // A later update of a node replaces its earlier one in place (Map order = first insertion, so a
  // node still comes after its parent).
  for (const v of views) pendingNodes.set(v.id, v);
  frame ??= requestAnimationFrame(flushNodes);
}
function flushNodes(): void {
  if (frame !== undefined) cancelAnimationFrame(frame);
  frame = undefined;
  if (!pendingNodes.size) return;
  tree.upsert([...pendingNodes.values()]);
  pendingNodes.clear();
  document.body.dataset.nodes = String(tree.size);
}

function showActivity(text: string | undefined): void {
  activity.textContent = text ?? '';
  activity.hidden = !text;
}

document.getElementById('cancel')!.addEventListener('click', () => post({ type: 'cancel' }));
document.getElementById('rerun')!.addEventListener('click', () => post({ type: 'rerun' }));
const resume = document.getElementById('resume')!;
resume.addEventListener('click', () => post({ type: 'resume' }));
document.getElementById('expand-all')!.addEventListener('click', () => tree.expandAll());
document.getElementById('collapse-all')!.addEventListener('click', () => tree.collapseAll());

/** `outcome` is absent while the run works. */
function showOutcome(outcome: Outcome | undefined, live: boolean): void {
  meter.setStatus(outcome?.status ?? 'running', live);
  // An ended run cut short (interrupted, failed, budget) can go on from where it stopped.
  resume.hidden = live || !outcome || !['interrupted', 'failed', 'budget'].includes(outcome.status);
  answer.replaceChildren();
  if (outcome?.answer) {
    answer.appendChild(renderAnswer(outcome.answer, linker));
    addCopyButtons(answer);
  } else if (live) answer.textContent = 'Working…';
  answerMarkdown = outcome?.answer;
  copyAnswer.hidden = openMarkdown.hidden = !outcome?.answer;
  answer.classList.toggle('empty', !outcome?.answer);
  reason.textContent = outcome?.reason ?? '';
  reason.hidden = !outcome?.reason;
  reason.className = `reason-${outcome?.status ?? 'running'}`;
  if (!live) {
    showNotice(undefined);
    showActivity(undefined);
  }
  followUp.hidden = live || !followUps;
}

function showEstimate(text: string | undefined): void {
  estimate.textContent = text ? `Estimated before the run: ${text}` : '';
  estimate.hidden = !text;
}

function showNotice(text: string | undefined): void {
  notice.textContent = text ?? '';
  notice.hidden = !text;
}

/** "$?" says why: which models have no price, and where to set one. */
function showCost(usage: UsageView): void {
  const models = usage.costUsd === null ? usage.unpricedModels ?? [] : [];
  costNote.hidden = usage.costUsd !== null;
  if (costNote.hidden) return;
  const text = document.createElement('span');
  text.textContent = `Cost unknown — no price for ${models.length ? models.join(', ') : 'a model of this run'}. `;
  // A button that looks like a link: it posts a typed message, it never navigates.
  const link = document.createElement('button');
  link.className = 'link';
  link.textContent = 'Set prices in rlm.prices';
  link.addEventListener('click', () => post({ type: 'openSetting', setting: 'rlm.prices' }));
  costNote.replaceChildren(text, link);
}

function updateUsage(usage: UsageView): void {
  meter.update(usage);
  showCost(usage);
}

function handle(msg: Exclude<HostToWebview, { type: 'verifyRefs.reply' }>): void {
  switch (msg.type) {
    case 'init': {
      pendingNodes.clear();
      runId = msg.header.runId;
      followUps = msg.followUps === true;
      saveState({ runIds: [...(msg.earlier ?? []).map((s) => s.runId), runId] });
      renderEarlier(earlier, msg.earlier ?? [], linker);
      question.textContent = questionLabel(msg.header.question);
      question.title = msg.header.question;
      scope.textContent = msg.header.scope ? `scope: ${msg.header.scope}` : '';
      scope.hidden = !msg.header.scope;
      tree.clear();
      tree.upsert(msg.nodes);
      updateUsage(msg.usage);
      showOutcome(msg.outcome, msg.live);
      showEstimate(typeof msg.estimate === 'string' ? msg.estimate : undefined);
      showActivity(msg.live ? msg.status : undefined);
      document.body.dataset.nodes = String(tree.size);
      break;
    }
    case 'nodes':
      queueNodes(msg.upserts);
      updateUsage(msg.usage);
      break;
    case 'outcome':
      flushNodes();
      updateUsage(msg.usage);
      showOutcome(msg.outcome, false);
      break;
    case 'notice':
      showNotice(msg.text);
      break;
    case 'estimate':
      showEstimate(typeof msg.text === 'string' ? msg.text : undefined);
      break;
    case 'status':
      showActivity(msg.text);
      break;
  }
}

onHostMessage(handle);
post({ type: 'ready' });
