import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accountWhere, listAccounts } from '../../src/db/repositories/account.js';
import { listPeopleSets } from '../../src/db/repositories/peopleSet.js';
import { accountUpdater, userProvisioner, type AccountFields } from '../../src/domain/commands/account.js';
import { peopleSetCreator } from '../../src/domain/commands/peopleSet.js';
import { AppError } from '../../src/errors.js';
import { decodeQueryText, filterFromQuery, groupFilter, userFilter } from '../../src/scim/filter.js';
import { dialects } from '../helpers/dialects.js';
import { http, ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { assertScimError, scimClient } from './helpers.js';

const MALFORMED = [
  'userName eq',
  'userName eq "jane" extra',
  'userName xx "a"',
  '(userName eq "a"',
  'userName eq "a")',
  'userName eq "a" and',
  'and userName eq "a"',
  'userName eq "a" or or title eq "b"',
  'favouriteColour eq "blue"',
  'name.nickname eq "x"',
  'active gt true',
  'active eq "maybe"',
  'meta.lastModified co "2020"',
  'meta.lastModified gt "not a date"',
  'emails[type eq "work"',
  'name[givenName eq "x"]',
  'emails[display eq "x"]',
  'userName eq "unterminated',
  '"just a string"',
  ' ',
  `${'('.repeat(6000)}userName eq "a"${')'.repeat(6000)}`,
  Array.from({ length: 600 }, (_, i) => `userName eq "u${i}"`).join(' or '),
];

describe('SCIM filter parsing', () => {
  test('malformed filters are invalid_filter errors, never crashes', () => {
    for (const text of MALFORMED) {
      assert.throws(
        () => userFilter(text),
        (e: unknown) => e instanceof AppError && e.kind === 'invalid_filter',
        text,
      );
    }
  });

  test('the tree: attribute names case-insensitive, URN prefixes, extension names without URN, emails searched twice', () => {
    assert.deepEqual(userFilter('USERNAME EQ "A@b.c"'), { kind: 'compare', field: 'userName', op: 'eq', value: 'A@b.c' });
    assert.deepEqual(userFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"'), userFilter('userName eq "x"'));
    assert.deepEqual(userFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R&D"'), { kind: 'compare', field: 'department', op: 'eq', value: 'R&D' });
    assert.deepEqual(userFilter('department eq "R&D"'), userFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R&D"'));
    assert.deepEqual(userFilter('urn:scim:schemas:extension:enterprise:1.0:manager.managerId eq "1"'), { kind: 'compare', field: 'managerId', op: 'eq', value: '1' });
    assert.deepEqual(userFilter('externalID eq "e"'), { kind: 'compare', field: 'externalId', op: 'eq', value: 'e' });
    assert.deepEqual(userFilter('meta.lastModified gt "2026-01-01T00:00:00Z"'), { kind: 'compare', field: 'lastModified', op: 'gt', value: Date.UTC(2026, 0, 1) });
    assert.deepEqual(userFilter('active eq "True"'), { kind: 'compare', field: 'active', op: 'eq', value: true });
    assert.deepEqual(userFilter('emails.value eq "x@y.z"'), {
      kind: 'or',
      items: [
        { kind: 'compare', field: 'email', op: 'eq', value: 'x@y.z' },
        { kind: 'related', relation: 'emails', where: { kind: 'compare', field: 'value', op: 'eq', value: 'x@y.z' } },
      ],
    });
    assert.deepEqual(groupFilter('members[value eq "7"]'), { kind: 'related', relation: 'members', where: { kind: 'compare', field: 'value', op: 'eq', value: '7' } });
  });

  test('query text arrives fully encoded, half encoded, form encoded, raw and double encoded', () => {
    const want = 'userName eq "a+b@example.com"';
    assert.equal(filterFromQuery(`filter=${encodeURIComponent(want)}`), want);
    assert.equal(filterFromQuery('filter=userName%20eq%20"a+b@example.com"'), want);
    assert.equal(filterFromQuery('filter=userName+eq+%22a%2Bb%40example.com%22'), want);
    assert.equal(filterFromQuery('filter=userName eq "a+b@example.com"'), want);
    assert.equal(filterFromQuery(`count=5&filter=${encodeURIComponent(encodeURIComponent(want))}&startIndex=1`), encodeURIComponent(want));
    assert.deepEqual(userFilter(encodeURIComponent(want)), userFilter(want), 'a still-encoded filter is decoded once more');
    assert.equal(decodeQueryText('%E2%9C%93%20ok'), '✓ ok');
    assert.equal(decodeQueryText('100%'), '100%');
  });
});

for (const dialect of await dialects()) {
  describe(`SCIM filters run as SQL (${dialect})`, () => {
    let ts: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const ids: Record<string, string> = {};
    before(async () => {
      ts = await startServer(dialect, { clock });
      const people: [string, AccountFields][] = [
        ['ann', { userName: 'Ann.Lee@Example.com', externalId: 'E-1', name: { givenName: 'Ann', familyName: 'Lee' }, title: 'Engineer', department: 'R&D', emails: [{ value: 'Ann.Lee@Example.com', type: 'work', primary: true }, { value: 'ann@home.example', type: 'home' }] }],
        ['bob', { userName: 'bob@example.com', externalId: 'e-1', name: { formatted: 'Bob Stone' }, displayName: 'Bobby', title: 'Engineering Manager', department: 'R&D', startDate: 1767225600 }],
        ['cy', { userName: 'cy@other.example', externalId: 'E-3', name: { formatted: 'Cy Young' }, department: 'Sales', active: false }],
        ['dee', { externalId: 'E-4', name: { formatted: 'Dee Frontline' }, isFrontline: true, authMethod: 'sso' }],
        ['eve', { userName: 'eve_100%@example.com', name: { formatted: 'Eve Percent' }, title: 'a_b' }],
      ];
      for (const [key, fields] of people) {
        clock.advance(60_000);
        const row = await ts.write((w) => userProvisioner(w, fields, { linkBase: ts.base }));
        ids[key] = row.id;
      }
      clock.advance(60_000);
      const bob = await ts.ctx.db.selectFrom('member').selectAll().where('id', '=', ids.bob).executeTakeFirstOrThrow();
      await ts.write((w) => accountUpdater(w, bob, { managerId: ids.ann }, { linkBase: ts.base }));
    });
    after(() => ts.close());

    const names = (rows: { id: string }[]) =>
      rows
        .map((r) => Object.keys(ids).find((k) => ids[k] === r.id))
        .filter(Boolean)
        .sort();
    const run = async (filter: string) => names(await listAccounts(ts.ctx.db, userFilter(filter), { offset: 0, limit: 100 }));

    const cases: [string, string[]][] = [
      ['userName eq "ANN.LEE@example.COM"', ['ann']],
      ['userName eq "nobody@example.com"', []],
      ['externalId eq "E-1"', ['ann']],
      ['externalId eq "e-1"', ['bob']],
      ['emails.value eq "ann@home.example"', ['ann']],
      ['emails eq "BOB@example.com"', ['bob']],
      ['emails[type eq "home" and value co "home"]', ['ann']],
      ['emails[type eq "work"]', ['ann']],
      ['displayName eq "bobby"', ['bob']],
      ['displayName eq "Cy Young"', ['cy']],
      ['name.givenName sw "A"', ['ann']],
      ['name.formatted ew "stone"', ['bob']],
      ['title co "engineer"', ['ann', 'bob']],
      ['title co "_"', ['eve']],
      ['userName co "100%"', ['eve']],
      ['title pr', ['ann', 'bob', 'eve']],
      ['not (title pr)', ['cy', 'dee']],
      ['title ne "Engineer"', ['bob', 'cy', 'dee', 'eve']],
      ['active eq false', ['cy']],
      ['active eq true and department eq "r&d"', ['ann', 'bob']],
      ['department eq "Sales" or externalId eq "E-4"', ['cy', 'dee']],
      ['not (department eq "R&D") and not (active eq false)', ['dee', 'eve']],
      ['(title co "Engineer" or department eq "Sales") and not (userName sw "bob")', ['ann', 'cy']],
      [`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "MGR"`, ['bob']],
      ['urn:ietf:params:scim:schemas:extension:facebook:frontline:2.0:User:is_frontline eq true', ['dee']],
      ['urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User:authMethod eq "SSO"', ['dee']],
      ['urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User:invited eq true', ['dee']],
      ['urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User:startDate ge 1767225600', ['bob']],
      ['meta.created gt "2026-01-01T00:02:30Z"', ['cy', 'dee', 'eve']],
      ['meta.created le "2026-01-01T00:02:00Z"', ['ann', 'bob']],
      ['meta.lastModified gt "2026-01-01T00:05:30Z"', ['bob']],
      ['id eq "ID"', ['cy']],
    ];
    for (const [filter, expected] of cases) {
      test(filter, async () => {
        const text = filter.replace('"MGR"', JSON.stringify(ids.ann ?? '')).replace('"ID"', JSON.stringify(ids.cy ?? ''));
        assert.deepEqual(await run(text), expected);
      });
    }

    test('the same filters over HTTP, in every encoding a client uses', async () => {
      const app = await ts.integration(['manage_accounts']);
      const scim = scimClient(ts, app.access_token);
      const filter = 'userName eq "Ann.Lee@example.com"';
      for (const query of [
        `filter=${encodeURIComponent(filter)}`,
        'filter=userName%20eq%20%22Ann.Lee%40example.com%22',
        'filter=userName%20eq%20"Ann.Lee@example.com"',
        'filter=userName+eq+%22Ann.Lee%40example.com%22',
        `filter=${encodeURIComponent(encodeURIComponent(filter))}`,
      ]) {
        const r = await scim.get(`/Users/?${query}`);
        assert.equal(r.status, 200, `${query}: ${r.text}`);
        assert.deepEqual(r.json.Resources.map((u: { id: string }) => u.id), [ids.ann], query);
      }
      const raw = await http('GET', `${scim.base}/Users?filter=userName eq "Ann.Lee@example.com"`.replaceAll(' ', '%20'), { token: app.access_token });
      assert.equal(raw.json.totalResults, 1);
      for (const bad of MALFORMED.slice(0, 12)) assertScimError(await scim.get(`/Users?filter=${encodeURIComponent(bad)}`), 400, 'invalidFilter');
    });

    test('conditions compile to SQL: userName equality is lower-cased and index-friendly', () => {
      const compiled = ts.ctx.db.selectFrom('member').selectAll().where(accountWhere(userFilter('userName eq "Ann.Lee@EXAMPLE.com"'))).compile();
      assert.match(compiled.sql, /user_name_lower" = \S+ or \("member"\."user_name_lower" is null and "member"\."email_lower" = /);
      assert.deepEqual(compiled.parameters, ['ann.lee@example.com', 'ann.lee@example.com']);
      const like = ts.ctx.db.selectFrom('member').selectAll().where(accountWhere(userFilter('title co "50%_off"'))).compile();
      assert.deepEqual(like.parameters, ['%50\\%\\_off%']);
    });

    test('groups: displayName and members filters', async () => {
      const set = await ts.write((w) => peopleSetCreator(w, { displayName: 'London Shop Floor' }, [ids.ann, ids.bob]));
      await ts.write((w) => peopleSetCreator(w, { displayName: 'Paris', externalId: 'P' }, [ids.cy]));
      const found = async (f: string) => (await listPeopleSets(ts.ctx.db, groupFilter(f), { offset: 0, limit: 10 })).map((s) => s.display_name).sort();
      assert.deepEqual(await found('displayName eq "london shop floor"'), ['London Shop Floor']);
      assert.deepEqual(await found(`members[value eq "${ids.bob}"]`), ['London Shop Floor']);
      assert.deepEqual(await found(`members.value eq "${ids.cy}" or externalId eq "P"`), ['Paris']);
      assert.deepEqual(await found(`not (members pr)`), []);
      assert.deepEqual(await found(`id eq "${set.id}"`), ['London Shop Floor']);
    });
  });
}
