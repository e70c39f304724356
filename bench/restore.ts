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
 * The page cache is warmed first (a dry run reads every BLOB). Each contender runs twice,
 * interleaved, and its best time counts (the machine may be shared).
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
  // The machine may be shared: each contender runs twice, interleaved (A B B A), and its best time counts.
  const best = async (a: (trial: number) => Promise<number>, b: (trial: number) => Promise<number>) => {
    const ta = [await a(1)];
    const tb = [await b(1)];
    tb.push(await b(2));
    ta.push(await a(2));
    return { ours: Math.min(...ta), bare: Math.min(...tb), runs: { ours: ta, bare: tb } };
  };
  const show = (title: string, bareName: string, r: Awaited<ReturnType<typeof best>>, goal: number): void => {
    console.log(title);
    console.log(`  zxb doRestoreOnNewAccount  ${(r.ours / 1000).toFixed(2)} s  ${rate(r.ours)}`);
    console.log(`  ${bareName.padEnd(26)} ${(r.bare / 1000).toFixed(2)} s  ${rate(r.bare)}`);
    console.log(
      `  ratio ${(r.bare / r.ours).toFixed(2)} (goal ≥ ${goal})   [runs ms: ours ${r.runs.ours.map(Math.round).join(', ')}; bare ${r.runs.bare.map(Math.round).join(', ')}]\n`,
    );
  };
  const only = opt('only', 'all');

  // --- Dovecot
  if (only !== 'maildir') {
    const server = await startDovecot();
    try {
      const endpoint = { host: server.host, port: server.port, security: 'none' as const, insecure: false };
      const ours = async (trial: number): Promise<number> => {
        const t = performance.now();
        const out = await runRestore({
          ...job({ kind: 'imap', url: server.url }),
          identity: { bench: `imap-${trial}-${Date.now()}` },
          imap: { endpoint, credentials: { login: `t-bench-ours${trial}`, password: 'test' } },
        });
        if (out.report.restored !== n) throw new Error(`restored ${out.report.restored} of ${n}`);
        return performance.now() - t;
      };
      const bare = async (trial: number): Promise<number> => {
        const client = new ImapFlow({
          host: server.host,
          port: server.port,
          secure: false,
          auth: { user: `t-bench-bare${trial}`, pass: 'test' },
          logger: false,
        });
        const t = performance.now();
        await client.connect();
        for (const f of plan.folders)
          if (!(f.length === 1 && f[0] === 'INBOX')) await client.mailboxCreate(f).catch(() => undefined);
        for (let i = 0; i < n; i++) {
          const m = plan.messages[i]!;
          await client.append(m.folder, bytes[i]!, [...m.flags, ...m.keywords], new Date(m.internalDate));
        }
        await client.logout();
        return performance.now() - t;
      };
      show('into Dovecot (IMAP APPEND, one connection)', 'bare imapflow APPEND', await best(ours, bare), 0.8);
    } finally {
      await server.dispose();
    }
  }

  // --- Maildir
  if (only !== 'imap') {
    const ours = async (trial: number): Promise<number> => {
      const t = performance.now();
      const out = await runRestore({
        ...job({ kind: 'maildir', path: path.join(work, `maildir-${trial}`) }),
        identity: { bench: `maildir-${trial}-${Date.now()}` },
      });
      if (out.report.restored !== n) throw new Error(`restored ${out.report.restored} of ${n}`);
      return performance.now() - t;
    };
    const bare = async (trial: number): Promise<number> => {
      const root = path.join(work, `bare-${trial}`);
      const t = performance.now();
      const made = new Set<string>();
      for (let i = 0; i < n; i++) {
        const m = plan.messages[i]!;
        const d = path.join(root, maildirFolderDir(m.folder), 'cur');
        if (!made.has(d)) {
          await fs.mkdir(d, { recursive: true });
          made.add(d);
        }
        await fs.writeFile(path.join(d, `${i}.eml`), bytes[i]!);
      }
      return performance.now() - t;
    };
    show('into a Maildir', 'bare writeFile of the bytes', await best(ours, bare), 0.5);
  }
  rmSync(work, { recursive: true, force: true });
}

void main();
