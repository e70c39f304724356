/** Helpers of the scan tests: mailbox content (the sample generator's and real-world messages), histories, the check. */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { parseItemBytes, runCoherencyCheck, type Finding, type Transaction } from '../../src/engine';
import { makeMessage } from '../../src/engine/sample/content';
import type { DovecotServer } from '../support/dovecot';

export function tempBackup(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'zxb-scan-'));
}

export async function imap(server: DovecotServer, user: string, pass = 'test'): Promise<ImapFlow> {
  const c = new ImapFlow({ host: server.host, port: server.port, secure: false, auth: { user, pass }, logger: false });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** `n` messages of the sample generator (multipart, 8-bit, several languages), deterministic by seed. */
export function sampleMessages(n: number, seed = 7): Buffer[] {
  const owner = { name: 'Alice Liddell', email: 'alice@example.test', tzMinutes: 60 };
  const correspondents = [
    { name: 'Bob Marley', email: 'bob@example.org', tzMinutes: 0, lang: 'en' as const },
    { name: 'Giulia Rossi', email: 'giulia@example.it', tzMinutes: 60, lang: 'it' as const },
    { name: '山田 太郎', email: 'taro@example.jp', tzMinutes: 540, lang: 'ja' as const },
  ];
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const m = makeMessage(seed, `m${i}`, {
      owner,
      mailHost: 'mail.example.test',
      correspondents,
      date: Date.UTC(2024, 0, 1) + i * 3_600_000,
      kind: 'normal',
    });
    out.push(m.bytes);
  }
  return out;
}

export function itemHistories(root: string, zimbraId: string): Map<number, Transaction[]> {
  const out = new Map<number, Transaction[]>();
  const items = path.join(root, 'accounts', zimbraId, 'items');
  for (const b of readdirSync(items)) {
    for (const f of readdirSync(path.join(items, b))) {
      if (!/^\d+$/.test(f)) continue;
      const rel = `accounts/${zimbraId}/items/${b}/${f}`;
      const h = parseItemBytes(readFileSync(path.join(root, rel)), rel, { fileItemId: Number(f) });
      out.set(Number(f), h.transactions);
    }
  }
  return out;
}

/** Errors and warnings of `zxb doCoherencyCheck --level blobs` (no cache). */
export async function checkProblems(root: string): Promise<Finding[]> {
  const r = await runCoherencyCheck(root, { level: 'blobs', cache: false, jobs: 0 });
  return r.findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
}

/** Every file under root with its hash (to prove a scan wrote nothing). */
export function treeDigest(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(root, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

export function messagesOf(h: Map<number, Transaction[]>): [number, Transaction[]][] {
  return [...h].filter(([, txs]) => txs[0]!.type === 5);
}

/**
 * The arguments of a scan command (`doSmartScan start`, `doRealtimeScan`) of one backup path
 * from a Dovecot, with an accounts file of `accounts` lines (`login [password]`) written next to it.
 */
export function scanCommandArgs(
  command: 'doSmartScan' | 'doRealtimeScan',
  o: { root: string; url: string; accounts: readonly string[]; domain: string },
  ...more: string[]
): string[] {
  const accounts = `${o.root}.accounts`;
  writeFileSync(accounts, `# test accounts\n${o.accounts.join('\n')}\n`);
  const verb = command === 'doSmartScan' ? ['doSmartScan', 'start'] : ['doRealtimeScan'];
  return [...verb, o.root, '--source', o.url, '--accounts-file', accounts, '--domain', o.domain, ...more];
}
