/**
 * The Item History page. Everything from the host is validated (parseHostMessage) and
 * written with textContent, never as HTML: item metadata is customer data and may
 * contain anything.
 */
import './nonce';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import {
  parseHostMessage,
  parseViewState,
  type HistoryPayload,
  type HistoryViewState,
  type WebviewToHost,
} from '../../src/shared/webviewProtocol';
import { changeSummary, fieldText, fieldTooltip, visibleFields } from './rows';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: HistoryViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: HistoryViewState = parseViewState(vscode.getState());
const app = document.getElementById('app')!;

function el(tag: string, opts: { text?: string; cls?: string; title?: string } = {}, ...children: Node[]): HTMLElement {
  const e = document.createElement(tag);
  if (opts.text !== undefined) e.textContent = opts.text;
  if (opts.cls) e.className = opts.cls;
  if (opts.title) e.title = opts.title;
  for (const c of children) e.appendChild(c);
  return e;
}

function save(patch: Partial<HistoryViewState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

/** A compact action: a link, so the narrow panel beside the editor keeps room for the fields. */
function action(label: string, onClick: () => void, title?: string): HTMLElement {
  const a = el('a', { text: label, cls: 'action', ...(title ? { title } : {}) });
  a.setAttribute('href', '#');
  a.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    onClick();
  });
  return a;
}

function render(payload: HistoryPayload): void {
  app.replaceChildren();
  const onlyChanged = el('vscode-checkbox', { text: 'Only changed fields' }) as HTMLElement & { checked: boolean };
  onlyChanged.checked = state.onlyChanged;
  onlyChanged.addEventListener('change', () => {
    save({ onlyChanged: onlyChanged.checked });
    render(payload);
  });
  const badge = el('vscode-badge', { text: String(payload.rows.length) });
  app.appendChild(el('h2', { text: payload.title }));
  app.appendChild(
    el(
      'div',
      { cls: 'toolbar' },
      el('span', {
        cls: 'muted',
        text: `${payload.itemPath} · point in time: ${payload.pointInTime} · dates in ${payload.zone}`,
      }),
      badge,
      onlyChanged,
    ),
  );
  if (payload.findings.length > 0) {
    const list = el('ul');
    for (const f of payload.findings) {
      const li = el('li', { cls: `finding-${f.severity}`, text: `${f.severity} ${f.code}: ${f.message}` });
      if (f.line !== null) {
        const line = f.line;
        li.appendChild(document.createTextNode(' '));
        li.appendChild(action(`line ${line + 1}`, () => vscode.postMessage({ type: 'openAt', line })));
      }
      list.appendChild(li);
    }
    app.appendChild(list);
  }
  if (payload.rows.length === 0) {
    app.appendChild(el('p', { cls: 'muted', text: 'No transaction could be read from this file.' }));
    return;
  }
  const table = el('vscode-table');
  table.setAttribute('zebra', '');
  table.setAttribute('bordered-rows', '');
  table.setAttribute('resizable', '');
  table.setAttribute('columns', JSON.stringify(['5%', '18%', '18%', '9%', '40%', '10%']));
  const header = el('vscode-table-header');
  header.setAttribute('slot', 'header');
  for (const h of ['#', 'Valid from', 'Valid to', 'Lasted', 'Fields', ''])
    header.appendChild(el('vscode-table-header-cell', { text: h }));
  const body = el('vscode-table-body');
  body.setAttribute('slot', 'body');
  payload.rows.forEach((row, position) => {
    const tr = el('vscode-table-row', { title: changeSummary(row, position) });
    if (row.current) tr.classList.add('current');
    if (state.selected === row.index) tr.setAttribute('aria-selected', 'true');
    tr.addEventListener('click', () => save({ selected: row.index }));
    const id = el('vscode-table-cell', { text: row.transactionId === null ? '?' : String(row.transactionId) });
    const fields = el('vscode-table-cell');
    if (row.deleted) fields.appendChild(el('span', { cls: 'field deleted', text: 'deleted' }));
    for (const f of visibleFields(row, position, state.onlyChanged)) {
      const field = el(
        'span',
        { cls: f.changed ? 'field changed' : 'field', title: fieldTooltip(f) },
        el('span', { cls: 'key', text: `${f.key}: ` }),
        document.createTextNode(fieldText(f, position, state.onlyChanged)),
      );
      // Secondary text: a folder shown as its path keeps its id visible.
      if (f.detail) field.appendChild(el('span', { cls: 'muted detail', text: ` (${f.detail})` }));
      field.dataset['key'] = f.key;
      fields.appendChild(field);
    }
    const actions = el('vscode-table-cell');
    actions.appendChild(
      action(
        'State',
        () => vscode.postMessage({ type: 'showState', index: row.index }),
        'Open this transaction as read-only JSON',
      ),
    );
    if (row.digest) {
      const digest = row.digest;
      actions.appendChild(
        action('BLOB', () => vscode.postMessage({ type: 'showBlob', digest }), 'Show the message of this transaction'),
      );
    }
    if (row.line !== null) {
      const line = row.line;
      actions.appendChild(
        action('Go to', () => vscode.postMessage({ type: 'openAt', line }), 'Open the item file at this transaction'),
      );
    }
    tr.append(
      id,
      el('vscode-table-cell', { text: row.start }),
      el('vscode-table-cell', { text: row.end }),
      el('vscode-table-cell', { text: row.duration }),
      fields,
      actions,
    );
    body.appendChild(tr);
  });
  table.append(header, body);
  app.appendChild(table);
}

function showError(message: string): void {
  app.replaceChildren(el('p', { cls: 'finding-error', text: message }));
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = parseHostMessage(event.data);
  if (!m) return;
  if (m.type === 'error') return showError(m.message);
  save({ itemPath: m.payload.itemPath, payload: m.payload });
  render(m.payload);
});

// Show the saved page at once (after a reload or when the tab comes back), then ask for fresh data.
if (state.payload) render(state.payload);
vscode.postMessage({ type: 'ready' });
