/**
 * bench/restore.ts — how fast a restore writes, next to the bare write of the same messages.
 *
 *   npx tsx bench/restore.ts [--items 19000] [--dir bench/.data/restore-…]
 *
 * From one run, on one generated account (reused under bench/.data/, git-ignored) whose
 * latest state holds ≥ 10,000 messages:
 * - into Dovecot (a real one, test/support/dovecot.ts): `runRestore` (BLOB read, gunzip,
 *   SHA-256 check, journal, CREATE, APPEND with flags, keywords, internal date) in msg/s,
 *   next to a bare imapflow APPEND loop of the same bytes with the same flags and dates,
 *   already in memory, into the same folders of another user (goal ≥ 0.8);
 * - into a Maildir: `runRestore` next to a bare writeFile of the same bytes, in memory,
 *   one file each into the same folder directories (goal ≥ 0.5).
 * The page cache is warmed first (a dry run reads every BLOB).
 */
import { mkdirSync, existsSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import {
  BackupPath,
  maildirFolderDir,
  planAccountRestore,
  readMessageContent,
  runRestore,
  type RestoreJob,
} from '../src/engine';
import { makeSample } from '../src/engine/sample';
import { startDovecot } from '../test/support/dovecot';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};

async function main(): Promise<void> {
  const items = Number(opt('items', '19000'));
  const dir = path.resolve(opt('dir', `bench/.data/restore-${items}`));
  if (!existsSync(path.join(dir, 'accounts'))) {
    rmSync(dir, { recursive: true, force: true });
    const t = Date.now();
    await makeSample(dir, { accounts: 1, itemsPerAccount: items });
    console.log(`sample: ${items} items in ${((Date.now() - t) / 1000).toFixed(1)} s (${dir})`);
  }
  const backup = await BackupPath.open(dir);
  const account = (await backup.accounts())[0]!;
  const { items: histories } = await backup.readAllItems(account.zimbraId);
  const plan = planAccountRestore({ zimbraId: account.zimbraId, name: account.name }, histories, { kind: 'last' });
  const n = plan.messages.length;
  console.log(`account ${account.name}: ${n} messages in ${plan.folders.length} folders at its latest state`);
  if (n < 10_000) console.log(`warning: fewer than 10,000 messages; raise --items`);

  const work = path.join(dir, '..', `restore-out-${items}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const job = (destination: RestoreJob['destination'], extra: Partial<RestoreJob> = {}): RestoreJob => ({
    backup,
    plan,
    destination,
    identity: { bench: Date.now() },
    cacheDir: path.join(work, 'cache'),
    ...extra,
  });
  // Warm the page cache, and keep the bytes for the baselines.
  await runRestore(job({ kind: 'maildir', path: path.join(work, 'warm') }, { dryRun: true }));
  const bytes: Buffer[] = [];
  let total = 0;
  for (const m of plan.messages) {
    const c = await readMessageContent(backup.blobs, m.digest);
    if (!c.ok) throw new Error(`${m.itemId}: ${c.detail}`);
    bytes.push(c.bytes);
    total += c.bytes.length;
  }
  console.log(`${(total / 1e6).toFixed(1)} MB of messages\n`);
  const rate = (ms: number): string => `${Math.round(n / (ms / 1000))} msg/s`;

  // --- Dovecot
  const only = opt('only', 'all');
  const server = only === 'maildir' ? undefined : await startDovecot();
  if (server)
    try {
      const endpoint = { host: server.host, port: server.port, security: 'none' as const, insecure: false };
      let t = performance.now();
      const ours = await runRestore({
        ...job({ kind: 'imap', url: server.url }),
        imap: { endpoint, credentials: { login: 't-bench-ours', password: 'test' } },
      });
      const oursMs = performance.now() - t;
      if (ours.report.restored !== n) throw new Error(`restored ${ours.report.restored} of ${n}`);

      const client = new ImapFlow({
        host: server.host,
        port: server.port,
        secure: false,
        auth: { user: 't-bench-bare', pass: 'test' },
        logger: false,
      });
      await client.connect();
      t = performance.now();
      for (const f of plan.folders)
        if (!(f.length === 1 && f[0] === 'INBOX')) await client.mailboxCreate(f).catch(() => undefined);
      for (let i = 0; i < n; i++) {
        const m = plan.messages[i]!;
        await client.append(m.folder, bytes[i]!, [...m.flags, ...m.keywords], new Date(m.internalDate));
      }
      const bareMs = performance.now() - t;
      await client.logout();
      console.log('into Dovecot (IMAP APPEND, one connection)');
      console.log(`  zxb doRestoreOnNewAccount  ${(oursMs / 1000).toFixed(2)} s  ${rate(oursMs)}`);
      console.log(`  bare imapflow APPEND       ${(bareMs / 1000).toFixed(2)} s  ${rate(bareMs)}`);
      console.log(`  ratio ${(bareMs / oursMs).toFixed(2)} (goal ≥ 0.8)\n`);
    } finally {
      await server.dispose();
    }
  if (only === 'imap') return;

  // --- Maildir
  let t = performance.now();
  const md = await runRestore(job({ kind: 'maildir', path: path.join(work, 'maildir') }));
  const oursMs = performance.now() - t;
  if (md.report.restored !== n) throw new Error(`restored ${md.report.restored} of ${n}`);
  const bare = path.join(work, 'bare');
  t = performance.now();
  const made = new Set<string>();
  for (let i = 0; i < n; i++) {
    const m = plan.messages[i]!;
    const d = path.join(bare, maildirFolderDir(m.folder), 'cur');
    if (!made.has(d)) {
      await fs.mkdir(d, { recursive: true });
      made.add(d);
    }
    await fs.writeFile(path.join(d, `${i}.eml`), bytes[i]!);
  }
  const bareMs = performance.now() - t;
  console.log('into a Maildir');
  console.log(`  zxb doRestoreOnNewAccount  ${(oursMs / 1000).toFixed(2)} s  ${rate(oursMs)}`);
  console.log(`  bare writeFile of the bytes ${(bareMs / 1000).toFixed(2)} s  ${rate(bareMs)}`);
  console.log(`  ratio ${(bareMs / oursMs).toFixed(2)} (goal ≥ 0.5)`);
  rmSync(work, { recursive: true, force: true });
}

void main();
