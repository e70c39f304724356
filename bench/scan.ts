/**
 * bench/scan.ts — how fast a SmartScan over IMAP is, next to the floor.
 *
 *   npx tsx bench/scan.ts [--messages 10000] [--folders 5]
 *
 * One run against a local Dovecot (test/support/dovecot.ts) filled over IMAP APPEND with the
 * sample generator's messages:
 * - a bare imapflow FETCH of every message's body (BODY[], all folders, one connection): msg/s, MB/s;
 * - the first SmartScan (runScan: journal, group commit with one syncfs per batch) of the same
 *   messages: msg/s, MB/s and the ratio to the bare FETCH (goal ≥ 0.8); and the same scan with
 *   durable: false (no flush at all) into another path, to show what durability costs;
 * - a no-change rescan (goal ≤ 2 s) and a rescan after 1 % of the messages changed
 *   (flags on half of them, the other half moved to another folder).
 */
import { rmSync } from 'node:fs';
import { runScan, type ImapEndpoint } from '../src/engine';
import { makeMessage } from '../src/engine/sample/content';
import { startDovecot } from '../test/support/dovecot';
import { imap, tempBackup } from '../test/scan/support';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const N = Number(opt('messages', '10000'));
const FOLDERS = Number(opt('folders', '5'));

function messages(n: number): Buffer[] {
  const owner = { name: 'Alice Liddell', email: 'alice@example.test', tzMinutes: 60 };
  const correspondents = [
    { name: 'Bob Marley', email: 'bob@example.org', tzMinutes: 0, lang: 'en' as const },
    { name: 'Giulia Rossi', email: 'giulia@example.it', tzMinutes: 60, lang: 'it' as const },
    { name: 'Hans Müller', email: 'hans@example.de', tzMinutes: 60, lang: 'de' as const },
  ];
  return Array.from(
    { length: n },
    (_, i) =>
      makeMessage(3, `b${i}`, {
        owner,
        mailHost: 'mail.example.test',
        correspondents,
        date: Date.UTC(2024, 0, 1) + i * 60_000,
        kind: 'normal',
      }).bytes,
  );
}

const fmt = (x: number, d = 0): string => x.toFixed(d);

async function main(): Promise<void> {
  const server = await startDovecot();
  const login = 't-bench';
  const endpoint: ImapEndpoint = { host: server.host, port: server.port, security: 'none', insecure: false };
  const roots: string[] = [];
  try {
    const bodies = messages(N);
    const bytes = bodies.reduce((s, b) => s + b.length, 0);
    const folders = ['INBOX', ...Array.from({ length: FOLDERS - 1 }, (_, i) => `Folder${i + 1}`)];
    let t = Date.now();
    const c = await imap(server, login);
    for (const f of folders.slice(1)) await c.mailboxCreate(f);
    for (let i = 0; i < bodies.length; i++)
      await c.append(folders[i % folders.length]!, bodies[i]!, i % 3 === 0 ? [] : ['\\Seen']);
    console.log(`filled: ${N} messages, ${fmt(bytes / 1e6, 1)} MB in ${folders.length} folders (${Date.now() - t} ms)`);

    // The floor: fetch every body once, nothing else.
    t = performance.now();
    let fetched = 0;
    let fetchedBytes = 0;
    for (const f of folders) {
      const lock = await c.getMailboxLock(f, { readOnly: true });
      try {
        for await (const m of c.fetch('1:*', { uid: true, source: true }, { uid: true })) {
          fetched++;
          fetchedBytes += m.source!.length;
        }
      } finally {
        lock.release();
      }
    }
    const bare = (performance.now() - t) / 1000;

    const scan = async (root: string, durable = true) => {
      const t0 = performance.now();
      const r = await runScan({
        root,
        endpoint,
        accounts: [{ login, name: `${login}@example.test`, password: 'test' }],
        command: 'bench',
        durable,
      });
      const a = r.accounts[0]!;
      if ('error' in a) throw new Error(a.error.message);
      return { s: (performance.now() - t0) / 1000, a };
    };
    const root = tempBackup();
    roots.push(root);
    const first = await scan(root);
    const fast = tempBackup();
    roots.push(fast);
    const nofsync = await scan(fast, false);
    if (first.a.new !== N) throw new Error(`first scan recorded ${first.a.new} messages, not ${N}`);
    const again = await scan(root);
    if (again.a.wrote) throw new Error('a no-change rescan wrote');

    // 1 % changed: flags on half, moves for the other half.
    const k = Math.max(2, Math.round(N / 100));
    const lock = await c.getMailboxLock('INBOX');
    try {
      await c.messageFlagsAdd(`1:${k / 2}`, ['\\Flagged'], { uid: true });
      await c.messageMove(`${k / 2 + 1}:${k}`, folders[1]!, { uid: true });
    } finally {
      lock.release();
    }
    await c.logout();
    const changed = await scan(root);

    const rate = (s: number) => `${fmt(N / s)} msg/s, ${fmt(bytes / 1e6 / s, 1)} MB/s`;
    console.log(
      `bare imapflow FETCH BODY[]   ${fmt(bare, 2)} s  ${rate(bare)} (${fetched} messages, ${fmt(fetchedBytes / 1e6, 1)} MB)`,
    );
    console.log(
      `first SmartScan (durable)    ${fmt(first.s, 2)} s  ${rate(first.s)}  ratio ${fmt(bare / first.s, 2)} (goal ≥ 0.8); ${fmt(first.a.bytesWritten / 1e6, 1)} MB written`,
    );
    console.log(
      `first SmartScan (no flush)   ${fmt(nofsync.s, 2)} s  ${rate(nofsync.s)}  ratio ${fmt(bare / nofsync.s, 2)}`,
    );
    console.log(`no-change rescan             ${fmt(again.s, 3)} s (goal ≤ 2 s)`);
    console.log(
      `rescan after 1 % changed     ${fmt(changed.s, 3)} s  (${changed.a.changed} changed, ${changed.a.moved} moved)`,
    );
  } finally {
    await server.dispose();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
