/** The panel's body markup (no scripts, no model text): shared by the webview and the benchmark. */
export const PANEL_BODY = `<div id="earlier"></div>
<header>
  <h1 id="question"></h1>
  <div id="scope" hidden></div>
</header>
<div class="toolbar">
  <span id="status" class="status">starting</span>
  <vscode-progress-ring class="live-only" aria-label="running"></vscode-progress-ring>
  <div class="meter" aria-label="usage">
    <span><span class="label">tokens</span><span id="usage-tokens">0</span></span>
    <span><span class="label">cost</span><span id="usage-cost">$0</span></span>
    <span><span class="label">elapsed</span><span id="usage-elapsed">0 ms</span></span>
    <span><span class="label">iterations</span><span id="usage-iterations">0</span></span>
    <span><span class="label">sub-calls</span><span id="usage-subcalls">0</span></span>
    <span id="usage-saved-item" hidden><span class="label">saved (cached)</span><span id="usage-saved"></span></span>
  </div>
  <span class="spacer"></span>
  <vscode-button id="cancel" secondary>Cancel</vscode-button>
  <vscode-button id="rerun" secondary>Re-run</vscode-button>
  <vscode-button id="resume" secondary hidden>Resume</vscode-button>
</div>
<div id="activity" class="activity" hidden></div>
<div id="notice" role="status" aria-live="polite" hidden></div>
<div id="cost-note" class="note" hidden></div>
<div id="estimate" class="note" hidden></div>
<section aria-labelledby="answer-heading">
  <div class="answer-tools">
    <h2 id="answer-heading">Answer</h2>
    <span class="spacer"></span>
    <vscode-button id="copy-answer" secondary hidden>Copy</vscode-button>
    <vscode-button id="open-markdown" secondary hidden>Open as Markdown</vscode-button>
  </div>
  <div id="answer" class="empty"></div>
  <div id="reason" hidden></div>
</section>
<section aria-labelledby="tree-heading">
  <div class="tree-tools">
    <h2 id="tree-heading">Recursion tree</h2>
    <span class="spacer"></span>
    <vscode-button id="expand-all" secondary>Expand all</vscode-button>
    <vscode-button id="collapse-all" secondary>Collapse all</vscode-button>
  </div>
  <div id="tree"></div>
</section>
<form id="follow-up" class="follow-up" hidden>
  <label for="follow-up-input">Ask a follow-up (same conversation: the REPL keeps its variables)</label>
  <textarea id="follow-up-input" rows="2" placeholder="Ask a follow-up question…"></textarea>
  <vscode-button id="follow-up-send" type="submit">Ask</vscode-button>
</form>
`;
