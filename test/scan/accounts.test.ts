/** The accounts file, account names and the derived zimbraIds (pure functions). */
import { strict as assert } from 'node:assert';
import { accountName, isZimbraId, marksOf, parseAccountsFile, scanAccountId, uidSet } from '../../src/engine';

describe('scan: accounts file, names, ids, flags', () => {
  it('parses logins with and without passwords, skips comments, refuses duplicates and an empty file', () => {
    const p = parseAccountsFile('\uFEFF# users\r\nalice  s3cret with spaces\r\n\r\nbob@ex.org\n');
    assert.ok(p.ok);
    assert.deepEqual(p.accounts, [
      { login: 'alice', password: 's3cret with spaces', line: 2 },
      { login: 'bob@ex.org', password: undefined, line: 4 },
    ]);
    const dup = parseAccountsFile('alice\nALICE pw\n');
    assert.deepEqual(dup, { ok: false, line: 2, why: 'ALICE is listed twice' });
    assert.equal(parseAccountsFile('# nothing\n').ok, false);
  });

  it('names an account login@DOMAIN and derives the same zimbraId for the same source and login', () => {
    assert.equal(accountName('Alice', 'Example.COM'), 'alice@example.com');
    assert.equal(accountName('bob@ex.org', 'other.test'), 'bob@ex.org');
    assert.equal(accountName('carol', undefined), undefined);
    const src = { host: 'Mail.Example.com', port: 143 };
    const id = scanAccountId(src, 'alice');
    assert.ok(isZimbraId(id), id);
    assert.equal(scanAccountId({ host: 'mail.example.com', port: 143 }, 'ALICE'), id);
    assert.notEqual(scanAccountId({ host: 'mail.example.com', port: 993 }, 'alice'), id);
    assert.notEqual(scanAccountId(src, 'bob'), id);
  });

  it('maps IMAP flags to Zimbra bits and keywords to sorted tags', () => {
    assert.deepEqual(marksOf([]), { flags: 512, tags: [] });
    assert.deepEqual(marksOf(['\\Seen', '\\Flagged', '\\Answered', '$Forwarded', '\\Recent', 'zeta', '$Label1']), {
      flags: 32 + 4 + 8,
      tags: ['$Label1', 'zeta'],
    });
    assert.deepEqual(marksOf(['\\Draft', '\\Deleted', '$MDNSent']).flags, 512 + 64 + 128 + 256);
    assert.equal(uidSet([5, 1, 2, 3, 9, 10]), '1:3,5,9:10');
  });
});
