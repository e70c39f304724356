// code-server (VS Code 1.100.3 served to a browser) with a fresh user-data dir and extensions dir per run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CS_ENTRY, sandboxEnv } from './paths.mjs';
import { pollUntil, startGroup } from './processes.mjs';

/** Quiet, offline-friendly user settings: no telemetry, update checks, welcome page, trust prompt or git. */
export const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
};

/** A TCP port nobody listens on right now (127.0.0.1). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function codeServerArgs({ userDataDir, extensionsDir }) {
  return [
    CS_ENTRY,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
}

/** Installs a VSIX into the extensions dir (code-server's own `--install-extension`, like a user would). */
export function installVsix({ vsix, userDataDir, extensionsDir, logFile }) {
  const r = spawnSync(
    process.execPath,
    [...codeServerArgs({ userDataDir, extensionsDir }), '--install-extension', vsix],
    { env: sandboxEnv(), encoding: 'utf8', timeout: 120_000 },
  );
  fs.appendFileSync(logFile, `--- install-extension ${vsix}\n${r.stdout}${r.stderr}`);
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout + r.stderr)) {
    throw new Error(`installing ${path.basename(vsix)} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
}

/**
 * Starts code-server on 127.0.0.1 and waits until it answers HTTP.
 * Returns { origin, port, folderUrl(ws, payload?), stop }.
 */
export async function startCodeServer({ runDir, workspace, vsix, linkExtension, logFile, port: wantedPort }) {
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User/settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  if (vsix) installVsix({ vsix, userDataDir, extensionsDir, logFile });
  if (linkExtension) {
    // "installed" the way VS Code finds an unpacked extension: <publisher>.<name>-<version> in the extensions dir
    const m = JSON.parse(fs.readFileSync(path.join(linkExtension, 'package.json'), 'utf8'));
    fs.symlinkSync(linkExtension, path.join(extensionsDir, `${m.publisher}.${m.name}-${m.version}`));
  }
  const port = wantedPort ? Number(wantedPort) : await freePort();
  // A TMPDIR of its own, removed on stop: code-server leaves IPC sockets there. Short, under the system temp folder,
  // because a Unix socket path must stay under 108 bytes.
  const runEnv = { ...sandboxEnv(), TMPDIR: fs.mkdtempSync(path.join(os.tmpdir(), 'zxb-cs-')) };
  const origin = `http://127.0.0.1:${port}`;
  const server = startGroup(
    process.execPath,
    [
      ...codeServerArgs({ userDataDir, extensionsDir }),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      workspace,
    ],
    { env: runEnv, logFile },
  );
  const stop = async () => {
    await server.stop();
    fs.rmSync(runEnv.TMPDIR, { recursive: true, force: true });
  };
  try {
    await pollUntil(
      `code-server on ${origin}`,
      async () => {
        if (!server.alive()) throw Object.assign(new Error(`code-server exited; see ${logFile}`), { fatal: true });
        const res = await fetch(`${origin}/healthz`).catch(() => undefined);
        return res?.ok;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    origin,
    port,
    userDataDir,
    extensionsDir,
    /** Workbench URL opening `folder`, with an optional workbench payload (extension development / tests). */
    folderUrl(folder, payload) {
      const q = `folder=${encodeURIComponent(path.resolve(folder))}`;
      return `${origin}/?${q}${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
    },
    /** A path on this machine as the workbench's remote URI. */
    remoteUri(p) {
      return `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
    },
    stop,
  };
}
