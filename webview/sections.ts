/** The earlier questions of a conversation panel: each a section with its question, its answer (with
 *  Copy and Open as Markdown) and its own recursion tree, collapsed (the latest question is below). */
import type { SectionView } from '../src/panelProtocol';
import { questionLabel } from '../src/runLabel';
import { addCopyButtons, flash } from './copyButtons';
import { renderAnswer } from './markdown';
import { RecursionTree } from './recursionTree';
import type { RefLinker } from './refs';
import { post } from './rpc';

export function renderEarlier(root: HTMLElement, sections: SectionView[], linker: RefLinker): void {
  root.replaceChildren(...sections.map((s, i) => section(s, i + 1, linker)));
}

function section(s: SectionView, n: number, linker: RefLinker): HTMLElement {
  const el = document.createElement('section');
  el.className = 'earlier';
  el.dataset.runId = s.runId;
  const heading = document.createElement('h2');
  heading.className = 'earlier-question';
  heading.id = `earlier-${n}`;
  heading.textContent = `${n}. ${questionLabel(s.question)}`;
  heading.title = s.question;
  el.setAttribute('aria-labelledby', heading.id);
  const tools = document.createElement('div');
  tools.className = 'answer-tools';
  tools.append(heading, spacer());
  const answer = document.createElement('div');
  answer.className = 'earlier-answer';
  if (s.outcome?.answer) {
    const markdown = s.outcome.answer;
    answer.appendChild(renderAnswer(markdown, linker));
    addCopyButtons(answer);
    tools.append(
      button('Copy', `Copy answer ${n} as Markdown`, (b) => {
        post({ type: 'copy', text: markdown, what: 'answer' });
        flash(b);
      }),
      button('Open as Markdown', `Open answer ${n} as a Markdown document`, () => post({ type: 'openMarkdown', runId: s.runId })),
    );
  } else {
    answer.classList.add('empty');
    answer.textContent = s.outcome?.reason ?? `No answer (${s.outcome?.status ?? 'unknown'}).`;
  }
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `Recursion tree of question ${n} (${s.nodes.length} nodes)`;
  const treeRoot = document.createElement('div');
  treeRoot.setAttribute('aria-label', `Recursion tree of question ${n}`);
  details.append(summary, treeRoot);
  const tree = new RecursionTree(treeRoot, linker);
  tree.upsert(s.nodes);
  tree.collapseAll();
  el.append(tools, answer, details);
  return el;
}

function spacer(): HTMLElement {
  const s = document.createElement('span');
  s.className = 'spacer';
  return s;
}

function button(text: string, label: string, onClick: (b: HTMLElement) => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.setAttribute('secondary', '');
  b.setAttribute('aria-label', label);
  b.textContent = text;
  b.addEventListener('click', () => onClick(b));
  return b;
}
