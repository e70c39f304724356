/** Tree refreshes are merged and never overlap a fetch of children (issue 14 §8: "already registered"). */
import { strict as assert } from 'node:assert';
import { RefreshQueue } from '../../src/extension/model/refreshQueue';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('extension tree: refresh queue', () => {
  it('merges refreshes asked for together into one event; a whole-tree refresh swallows the rest', async () => {
    const fired: (string[] | undefined)[] = [];
    const q = new RefreshQueue<string>((n) => fired.push(n), 5);
    q.request('account/a');
    q.request('account/b');
    q.request('account/a');
    await tick(20);
    assert.deepEqual(fired, [['account/a', 'account/b']]);
    q.request('account/a');
    q.request(undefined);
    q.request('account/b');
    await tick(20);
    assert.deepEqual(fired.slice(1), [undefined]);
    q.dispose();
  });

  it('holds a refresh back while children are being fetched, and sends it once they settle', async () => {
    const fired: (string[] | undefined)[] = [];
    const q = new RefreshQueue<string>((n) => fired.push(n), 5);
    const endA = q.begin();
    const endB = q.begin();
    q.request('account/a'); // two refreshes racing with the fetches of the first
    q.request('account/a');
    await tick(20);
    assert.deepEqual(fired, [], 'nothing fired during the fetches');
    endA();
    endA(); // ending twice counts once
    await tick(20);
    assert.deepEqual(fired, [], 'one fetch is still running');
    endB();
    await tick(20);
    assert.deepEqual(fired, [['account/a']]);
    assert.equal(q.waiting, false);
    q.dispose();
  });

  it('fires nothing after dispose', async () => {
    const fired: unknown[] = [];
    const q = new RefreshQueue<string>((n) => fired.push(n), 5);
    q.request('x');
    q.dispose();
    q.request('y');
    await tick(20);
    assert.deepEqual(fired, []);
  });
});
