/**
 * The webview: a virtualised live wire log, a case-outcome view and the agents × cases results
 * matrix. It opens no sockets and builds no HTML from data: every string from a peer or a report
 * goes through textContent. Talks to the host only through src/protocol/messages.ts.
 */
import {
  MessageEndpoint,
  type CaseView,
  type HostToWebview,
  type MatrixCell,
  type MatrixView,
  type PanelContent,
  type PanelTarget,
  type RowDetails,
  type WebviewSavedState,
  type WebviewToHost,
  type WireRow,
} from '../protocol/messages';
import { Latest } from './latest';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const endpoint = new MessageEndpoint<WebviewToHost, HostToWebview>((e) => vscode.postMessage(e), {
  set: (ms, fn) => window.setTimeout(fn, ms),
  clear: (h) => window.clearTimeout(h as number),
});
window.addEventListener('message', (event: MessageEvent) => endpoint.receive(event.data));

const ROW_HEIGHT = 22;
const OPCODES: Record<number, string> = { 0: 'CONT', 1: 'TEXT', 2: 'BINARY', 8: 'CLOSE', 9: 'PING', 10: 'PONG' };
const opcodeName = (op: number): string => OPCODES[op] ?? `OP${op}`;

type Filters = WebviewSavedState['filters'];
const initial = vscode.getState() as Partial<WebviewSavedState> | undefined;
const filters: Filters = { direction: 'all', opcode: 'all', text: '', ...initial?.filters };
/** What is on show, kept with setState so that the panel serializer can restore it after a reload. */
let savedTarget: PanelTarget | null = initial?.target ?? null;
let savedContent: WebviewSavedState['content'] = initial?.content ?? null;

function saveState(): void {
  vscode.setState({ filters, target: savedTarget, content: savedContent } satisfies WebviewSavedState);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string; attrs?: Record<string, string> } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  for (const c of children) node.appendChild(c);
  return node;
}

const app = document.getElementById('app') as HTMLElement;

// ---------------------------------------------------------------- wire log
let sessionId = '';
let rows: WireRow[] = [];
let rowLimit = Infinity; // the host's: older rows are dropped here as there
let visible: number[] = []; // indices into rows that pass the filters
let selected = -1; // index into visible
let autoscroll = true;
let detailOpen = false; // the payload pane shows, or is loading, the selected row's payload
const detailRequest = new Latest();

const title = el('h1', { className: 'title' });
const stateBadge = el('span', { className: 'badge', attrs: { role: 'status' } });
const counter = el('span', { className: 'counter' });
const dirSelect = el('select', { attrs: { 'aria-label': 'Direction' } }, ...['all', 'in', 'out'].map((v) => el('option', { text: v === 'all' ? 'both directions' : v === 'in' ? '← received' : '→ sent', attrs: { value: v } })));
const opSelect = el('select', { attrs: { 'aria-label': 'Opcode' } }, ...['all', '1', '2', '0', '8', '9', '10', 'other'].map((v) => el('option', { text: v === 'all' ? 'all opcodes' : v === 'other' ? 'reserved' : opcodeName(Number(v)), attrs: { value: v } })));
const textFilter = el('input', { attrs: { type: 'search', placeholder: 'Filter payload text', 'aria-label': 'Filter payload text' } });
const follow = el('button', { className: 'follow', text: 'Follow', attrs: { type: 'button', title: 'Scroll to the newest frame and keep following (End)' } });
const toolbar = el('div', { className: 'toolbar' }, title, stateBadge, counter, dirSelect, opSelect, textFilter, follow);
const header = el('div', { className: 'row header', attrs: { role: 'row' } }, ...['#', 'time', 'dir', 'opcode', 'fin', 'rsv', 'length', 'payload'].map((h) => el('span', { text: h, attrs: { role: 'columnheader' } })));
const spacer = el('div', { className: 'spacer' });
const viewport = el('div', { className: 'viewport', attrs: { tabindex: '0', role: 'grid', 'aria-label': 'Wire log, one row per frame; arrow keys move, Enter shows the payload' } }, spacer);
const detailPane = el('section', { className: 'detail', attrs: { 'aria-live': 'polite', 'aria-label': 'Frame payload' } });
const wireLogView = el('div', { className: 'wirelog' }, toolbar, header, viewport, detailPane);

dirSelect.value = filters.direction;
opSelect.value = filters.opcode;
textFilter.value = filters.text;

function matches(row: WireRow): boolean {
  if (filters.direction !== 'all' && row.direction !== filters.direction) return false;
  if (filters.opcode !== 'all') {
    if (filters.opcode === 'other' ? OPCODES[row.opcode] !== undefined : row.opcode !== Number(filters.opcode)) return false;
  }
  return !filters.text || row.preview.toLowerCase().includes(filters.text.toLowerCase());
}

function refilter(): void {
  visible = [];
  for (let i = 0; i < rows.length; i++) if (matches(rows[i])) visible.push(i);
  selected = Math.min(selected, visible.length - 1);
  saveState();
  layout();
}

function formatTime(ms: number): string {
  return (ms / 1000).toFixed(3) + 's';
}

function rowElement(row: WireRow, index: number): HTMLElement {
  const cells = [String(row.seq), formatTime(row.timeMs), row.direction === 'out' ? '→ out' : '← in', opcodeName(row.opcode), row.fin ? '1' : '0', String(row.rsv), String(row.length), row.preview];
  const node = el('div', { className: `row ${row.direction} op${row.opcode}${index === selected ? ' selected' : ''}`, attrs: { role: 'row', id: `row-${index}`, 'aria-selected': String(index === selected) } }, ...cells.map((c) => el('span', { text: c, attrs: { role: 'gridcell' } })));
  node.style.top = `${index * ROW_HEIGHT}px`;
  node.addEventListener('click', () => select(index, false, true));
  return node;
}

/** Renders only the rows in view (plus a margin): 100,000 rows cost as much as 50. */
function layout(): void {
  spacer.style.height = `${visible.length * ROW_HEIGHT}px`;
  if (autoscroll) viewport.scrollTop = viewport.scrollHeight;
  const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - 10);
  const last = Math.min(visible.length, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_HEIGHT) + 10);
  const fragment = document.createDocumentFragment();
  for (let i = first; i < last; i++) fragment.appendChild(rowElement(rows[visible[i]], i));
  for (const old of [...viewport.querySelectorAll('.row')]) old.remove();
  viewport.appendChild(fragment);
  counter.textContent = visible.length === rows.length ? `${rows.length} frames` : `${visible.length} of ${rows.length} frames`;
  follow.classList.toggle('paused', !autoscroll);
  follow.textContent = autoscroll ? 'Following' : 'Paused: follow';
  if (selected >= 0) viewport.setAttribute('aria-activedescendant', `row-${selected}`);
  else viewport.removeAttribute('aria-activedescendant');
}

let lastScrollTop = 0;
viewport.addEventListener('scroll', () => {
  const atBottom = viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - ROW_HEIGHT;
  if (viewport.scrollTop < lastScrollTop && !atBottom) autoscroll = false; // the user scrolled up: pause
  else if (atBottom) autoscroll = true;
  lastScrollTop = viewport.scrollTop;
  requestLayout();
});

let layoutQueued = false;
function requestLayout(): void {
  if (layoutQueued) return;
  layoutQueued = true;
  requestAnimationFrame(() => {
    layoutQueued = false;
    layout();
  });
}

/** Selects a row; `openDetail` shows its payload, otherwise an open payload pane follows the selection. */
function select(index: number, scroll: boolean, openDetail = false): void {
  if (!visible.length) return;
  selected = Math.max(0, Math.min(index, visible.length - 1));
  if (scroll) {
    const top = selected * ROW_HEIGHT;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
  }
  autoscroll = selected === visible.length - 1 && autoscroll;
  layout();
  if (openDetail || detailOpen) void showDetail(rows[visible[selected]]);
}

async function showDetail(row: WireRow): Promise<void> {
  detailOpen = true;
  const current = detailRequest.begin();
  detailPane.replaceChildren(el('p', { text: `Frame #${row.seq}: loading…` }));
  try {
    const reply = await endpoint.request<Extract<HostToWebview, { type: 'rowDetails/reply' }>>({ type: 'rowDetails/request', sessionId, seq: row.seq });
    if (current()) renderDetail(row, reply.details);
  } catch (error) {
    if (current()) detailPane.replaceChildren(el('p', { text: `Frame #${row.seq}: ${(error as Error).message}` }));
  }
}

function renderDetail(row: WireRow, detail: RowDetails): void {
  const head = el('h2', { text: `Frame #${row.seq} · ${row.direction === 'out' ? 'sent' : 'received'} ${opcodeName(row.opcode)} · fin=${row.fin ? 1 : 0} rsv=${row.rsv} · ${row.length} bytes${row.masked ? ' · masked' : ''}` });
  if (detail.missing) {
    detailPane.replaceChildren(head, el('p', { text: 'This frame is no longer kept (row limit).' }));
    return;
  }
  const hexLines: string[] = [];
  for (let i = 0; i < detail.hex.length; i += 32) {
    const chunk = detail.hex.slice(i, i + 32);
    hexLines.push(`${(i / 2).toString(16).padStart(6, '0')}  ${chunk.replace(/(..)/g, '$1 ').trim()}`);
  }
  const close = el('button', { text: 'Close (Esc)', attrs: { type: 'button' } });
  close.addEventListener('click', hideDetail);
  detailPane.replaceChildren(
    head,
    close,
    el('h3', { text: 'Text' }),
    el('pre', { className: 'payload-text', text: detail.text ?? '(not valid UTF-8)' }),
    el('h3', { text: 'Hex' }),
    el('pre', { className: 'payload-hex', text: hexLines.join('\n') || '(empty)' }),
  );
}

function closeDetail(): void {
  detailOpen = false;
  detailRequest.cancel();
  detailPane.replaceChildren();
}

function hideDetail(): void {
  closeDetail();
  viewport.focus();
}

viewport.addEventListener('keydown', (e: KeyboardEvent) => {
  const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_HEIGHT) - 1);
  const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
  if (e.key in moves) {
    autoscroll = false;
    select((selected < 0 ? visible.length : selected) + moves[e.key], true);
  } else if (e.key === 'Home') {
    autoscroll = false;
    select(0, true);
  } else if (e.key === 'End') {
    autoscroll = true;
    select(visible.length - 1, true);
  } else if (e.key === 'Enter' && selected >= 0) {
    if (detailOpen) hideDetail();
    else void showDetail(rows[visible[selected]]);
  } else if (e.key === 'Escape') hideDetail();
  else return;
  e.preventDefault();
});
dirSelect.addEventListener('change', () => {
  filters.direction = dirSelect.value as Filters['direction'];
  refilter();
});
opSelect.addEventListener('change', () => {
  filters.opcode = opSelect.value;
  refilter();
});
textFilter.addEventListener('input', () => {
  filters.text = textFilter.value;
  refilter();
});
follow.addEventListener('click', () => {
  autoscroll = true;
  layout();
});

/** The session's state, and once it has ended, how: codes, clean or not, who closed first. */
function setState(state: string, ended?: string): void {
  stateBadge.textContent = ended ? `${state} · ${ended}` : state;
  stateBadge.className = `badge state-${state}`;
}

// ---------------------------------------------------------------- case outcome
function section(heading: string, ...body: Node[]): HTMLElement {
  return el('section', { className: 'case-section' }, el('h2', { text: heading }), ...body);
}

function table(head: string[], body: string[][], foot?: string[]): HTMLElement {
  const tr = (cells: string[], cell: 'td' | 'th') => el('tr', {}, ...cells.map((c) => el(cell, { text: c })));
  const t = el('table', {}, el('thead', {}, tr(head, 'th')), el('tbody', {}, ...body.map((r) => tr(r, 'td'))));
  if (foot) t.appendChild(el('tfoot', {}, tr(foot, 'th')));
  return t;
}

function verdictClass(v: string): string {
  return `verdict verdict-${v.toLowerCase().replace(/[^a-z]+/g, '-')}`;
}

function renderCase(view: CaseView, backToMatrix: boolean): HTMLElement {
  const back = el('button', { className: 'back', text: '← Results matrix', attrs: { type: 'button' } });
  back.addEventListener('click', () => endpoint.send({ type: 'matrix/back' }));
  return el(
    'article',
    { className: 'case' },
    ...(backToMatrix ? [back] : []),
    el('h1', { text: view.title }),
    el('p', {}, el('span', { className: verdictClass(view.behavior), text: view.behavior, attrs: { role: 'status', 'aria-label': `Verdict ${view.behavior}` } }), el('span', { className: verdictClass(view.behaviorClose), text: `close ${view.behaviorClose}` }), el('span', { className: 'muted', text: `${view.agent} · ${view.durationMs} ms` })),
    ...(view.why.length ? [section('Why', el('pre', { className: 'why', text: view.why.join('\n') }))] : []),
    section('Case Description', el('p', { className: 'prose', text: view.description })),
    section('Case Expectation', el('p', { className: 'prose', text: view.expectation })),
    section('Case Outcome', el('p', { text: view.result }), el('h3', { text: 'Expected' }), el('pre', { text: view.expected }), el('h3', { text: 'Observed' }), el('pre', { text: view.observed })),
    section('Case Closing Behavior', el('p', { text: view.resultClose })),
    section('Opening Handshake', el('pre', { text: view.httpRequest || '(none)' }), el('pre', { text: view.httpResponse || '(none)' })),
    section('Closing Behavior', table(['Key', 'Value', 'Description'], view.closingRows.map((r) => [r.key, r.value, r.description]))),
    section('Wire Statistics', ...view.stats.map((s) => el('div', {}, el('h3', { text: s.title }), table(s.header, s.rows, s.total)))),
    section('Wire Log', el('pre', { className: 'case-wirelog' }, ...view.wireLog.map((r) => el('span', { className: r.cssClass, text: r.lines.join('\n') + '\n' })))),
  );
}

// ---------------------------------------------------------------- results matrix
const FAILING = new Set(['FAILED', 'WRONG CODE', 'UNCLEAN', 'FAILED BY CLIENT']);

/** The verdict a cell is coloured by: a failing closing behaviour outweighs an OK behaviour. */
function cellVerdict(cell: MatrixCell): string {
  return FAILING.has(cell.behaviorClose) && !FAILING.has(cell.behavior) ? cell.behaviorClose : cell.behavior;
}

/**
 * Rows are cases (a heading row per section), columns are agents; each cell is a button (Tab,
 * Enter, Space) that opens the case outcome, and the arrow keys move between cells.
 */
function renderMatrix(view: MatrixView): HTMLElement {
  const head = el(
    'tr',
    {},
    el('th', { text: 'Case', attrs: { scope: 'col' } }),
    ...view.agents.map((a) =>
      el('th', { className: 'agent', attrs: { scope: 'col', title: a.detail } }, el('span', { className: 'agent-name', text: a.agent }), el('span', { className: 'muted agent-count', text: `${a.done} done${a.failed ? `, ${a.failed} failed` : ''}` })),
    ),
  );
  const body = el('tbody');
  let rowIndex = 0;
  for (const section of view.sections) {
    body.appendChild(el('tr', { className: 'section-row' }, el('th', { text: `${section.id} ${section.title}`.trim(), attrs: { scope: 'colgroup', colspan: String(view.agents.length + 1) } })));
    for (const row of section.rows) {
      const r = rowIndex++;
      const cells = row.cells.map((cell, c) => {
        const agent = view.agents[c];
        if (!cell) return el('td', { className: 'cell missing', text: '—', attrs: { 'aria-label': `Case ${row.caseId}, ${agent.agent}: not run` } });
        const button = el('button', {
          className: `cell-link ${verdictClass(cellVerdict(cell))}`,
          text: `${cell.behavior} / ${cell.behaviorClose}`,
          attrs: {
            type: 'button',
            'data-row': String(r),
            'data-col': String(c),
            'data-run': agent.runId,
            'data-case': row.caseId,
            title: `${cell.durationMs} ms: open the case outcome`,
            'aria-label': `Case ${row.caseId}, ${agent.agent}: behavior ${cell.behavior}, closing behavior ${cell.behaviorClose}. Open the case outcome`,
          },
        });
        button.addEventListener('click', () => endpoint.send({ type: 'matrix/openCase', runId: agent.runId, caseId: row.caseId }));
        return el('td', { className: 'cell' }, button);
      });
      body.appendChild(el('tr', { attrs: { 'data-case': row.caseId } }, el('th', { text: row.caseId, attrs: { scope: 'row' } }), ...cells));
    }
  }
  const grid = el('table', { className: 'matrix', attrs: { 'aria-label': `${view.title}: verdicts per case and agent; arrow keys move, Enter opens a case` } }, el('thead', {}, head), body);
  grid.addEventListener('keydown', (e: KeyboardEvent) => {
    const from = e.target as HTMLElement;
    if (!from.classList.contains('cell-link')) return;
    const moves: Record<string, [number, number]> = { ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1] };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    let row = Number(from.dataset.row);
    let col = Number(from.dataset.col);
    // the next cell in that direction that has a result (missing cells are not focusable)
    for (let i = 0; i < rowIndex + view.agents.length; i++) {
      row += move[0];
      col += move[1];
      const next = grid.querySelector<HTMLButtonElement>(`button[data-row="${row}"][data-col="${col}"]`);
      if (next) {
        next.focus();
        return;
      }
      if (row < 0 || row >= rowIndex || col < 0 || col >= view.agents.length) return;
    }
  });
  const counts = view.agents.map((a) => `${a.agent}: ${a.done} done${a.failed ? `, ${a.failed} failed` : ''}`).join(' · ');
  return el('article', { className: 'matrix-view' }, el('h1', { text: view.title }), el('p', { className: 'muted', text: counts || 'No results yet: clients under test show up here as they run cases.' }), grid);
}

/** Re-rendering (live results) keeps the focused cell focused. */
function showMatrix(view: MatrixView): void {
  const focused = document.activeElement as HTMLElement | null;
  const key = focused?.classList.contains('cell-link') ? [focused.dataset.run, focused.dataset.case] : null;
  app.replaceChildren(renderMatrix(view));
  if (key) app.querySelector<HTMLButtonElement>(`button.cell-link[data-run="${CSS.escape(key[0] ?? '')}"][data-case="${CSS.escape(key[1] ?? '')}"]`)?.focus();
}

// ---------------------------------------------------------------- content
function show(content: PanelContent, target: PanelTarget | null): void {
  savedTarget = target;
  savedContent = content.kind === 'case' || content.kind === 'matrix' ? { ...content, restored: undefined } : null;
  saveState();
  render(content);
  if ((content.kind === 'case' || content.kind === 'matrix') && content.restored) {
    app.prepend(el('p', { className: 'restored', text: 'Restored as it was before the window reload: this run is no longer in memory.', attrs: { role: 'note' } }));
  }
}

function render(content: PanelContent): void {
  closeDetail();
  if (content.kind === 'wireLog') {
    sessionId = content.session.sessionId;
    rows = content.session.rows;
    title.textContent = content.session.title;
    rowLimit = content.session.rowLimit;
    setState(content.session.state, content.session.ended);
    selected = -1;
    autoscroll = true;
    app.replaceChildren(wireLogView);
    refilter();
  } else if (content.kind === 'case') {
    sessionId = '';
    app.replaceChildren(renderCase(content.view, !!content.backToMatrix));
  } else if (content.kind === 'matrix') {
    sessionId = '';
    showMatrix(content.view);
  } else {
    app.replaceChildren(el('p', { className: 'empty', text: 'Nothing to show yet: open a connection or a case report.' }));
  }
}

endpoint.on('content/show', (m) => show(m.content, m.target));
endpoint.on('wireLog/append', (m) => {
  if (m.sessionId !== sessionId) return;
  for (const row of m.rows) {
    rows.push(row);
    if (matches(row)) visible.push(rows.length - 1);
  }
  // Trimmed as the host trims, in steps of a tenth, so a long session does not grow the page.
  if (rows.length > rowLimit * 1.1) {
    rows.splice(0, rows.length - rowLimit);
    refilter();
    return;
  }
  requestLayout();
});
endpoint.on('wireLog/clear', (m) => {
  if (m.sessionId !== sessionId) return;
  rows = [];
  hideDetail();
  refilter();
});
endpoint.on('wireLog/state', (m) => {
  if (m.sessionId === sessionId) setState(m.state, m.ended);
});
endpoint.on('probe/request', (_m, envelope) => {
  layout();
  endpoint.send(
    {
      type: 'probe/reply',
      rows: rows.length,
      visibleRows: visible.length,
      renderedRows: viewport.querySelectorAll('.row').length,
      renderedRowTexts: [...viewport.querySelectorAll('.row')].map((r) => [...r.children].map((c) => c.textContent ?? '').join(' | ')),
      images: document.querySelectorAll('img').length,
      scripts: [...document.scripts].map((s) => s.src || `inline: ${(s.textContent ?? '').slice(0, 60)}`),
      detailText: detailPane.textContent ?? '',
      bodyText: (document.body.textContent ?? '').slice(0, 4000),
      state: (vscode.getState() as WebviewSavedState | undefined) ?? null,
    },
    envelope.id,
  );
});
window.addEventListener('error', (e) => endpoint.send({ type: 'error', message: String(e.message) }));

void endpoint.request<Extract<HostToWebview, { type: 'ready/reply' }>>({ type: 'ready' }).then((reply) => show(reply.content, reply.target), (error: Error) => endpoint.send({ type: 'error', message: error.message }));
