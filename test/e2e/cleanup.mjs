// Everything the harness starts registers how to stop it here, so it is stopped on success, on failure
// and on Ctrl-C / SIGTERM: finally blocks call runCleanups(); the signal handlers call it before exiting.
const cleanups = [];
let signalsHooked = false;

/** Registers an async cleanup; returns a function that runs it once and unregisters it. */
export function onCleanup(fn) {
  hookSignals();
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    const i = cleanups.indexOf(once);
    if (i >= 0) cleanups.splice(i, 1);
    await fn();
  };
  cleanups.push(once);
  return once;
}

/** Runs every registered cleanup, the most recent first; errors are reported, not thrown. */
export async function runCleanups() {
  while (cleanups.length > 0) {
    const fn = cleanups[cleanups.length - 1];
    try {
      await fn();
    } catch (e) {
      console.error(`[e2e] cleanup failed: ${e instanceof Error ? e.message : e}`);
      cleanups.pop(); // fn failed before unregistering itself
    }
  }
}

function hookSignals() {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      console.error(`[e2e] ${sig}: stopping what the harness started`);
      runCleanups().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
}
