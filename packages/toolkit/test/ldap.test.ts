import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Attribute, Change, Client, SizeLimitExceededError } from 'ldapts';
import { SCIM_URN, ScimClient, type ScimUser } from '@commonplace/sdk';
import { dialects } from '../../../test/helpers/dialects.ts';
import { startServer, type TestServer } from '../../../test/helpers/server.ts';
import { guidText, normalizeDn, parseLdapUrl } from '../src/sync/ldap.ts';
import { toolkit } from './helpers.ts';
import { ADMIN_DN, adUser, ldapPerson, PEOPLE, slapdSkip, startSlapd, SUFFIX, type Slapd } from './slapd.ts';

// `sync people --from ldap://…` against Debian's slapd: AD-style and OpenLDAP-style entries,
// a paged search (the server caps unpaged ones at 5 entries), userAccountControl's disabled
// bit, manager DNs resolved to people, a rerun that changes nothing, and the guard stop.

const ENT = SCIM_URN.enterprise;
const dn = (cn: string) => `cn=${cn},${PEOPLE}`;

test('LDAP URLs, DNs and objectGUIDs', () => {
  assert.deepEqual(parseLdapUrl('ldaps://dc1.corp.example:636/OU=Staff,DC=corp,DC=example??one?(objectClass=user)'), {
    server: 'ldaps://dc1.corp.example:636',
    baseDn: 'OU=Staff,DC=corp,DC=example',
    scope: 'one',
    filter: '(objectClass=user)',
  });
  assert.deepEqual(parseLdapUrl('ldap://127.0.0.1:389'), { server: 'ldap://127.0.0.1:389', baseDn: undefined, scope: undefined, filter: undefined });
  assert.throws(() => parseLdapUrl('ldap://user:pw@host/dc=x'), /not an LDAP URL/);
  assert.equal(normalizeDn('CN=Ana Lind, OU=People,DC=Example , DC=com'), 'cn=ana lind,ou=people,dc=example,dc=com');
  assert.equal(normalizeDn('cn=Lind\\, Ana,dc=x'), 'cn=lind\\, ana,dc=x');
  // The GUID {3F2504E0-4F89-11D3-9A0C-0305E82C3301} as AD stores its 16 bytes.
  assert.equal(guidText(Buffer.from('e004253f894fd3119a0c0305e82c3301', 'hex')), '3f2504e0-4f89-11d3-9a0c-0305e82c3301');
});

for (const dialect of await dialects()) {
  describe(`sync people from LDAP / Active Directory (${dialect})`, { skip: slapdSkip && 'slapd is missing' }, () => {
    let ts: TestServer;
    let ldap: Slapd;
    let token: string;
    let scim: ScimClient;
    let passwordFile: string;
    const sync = (extra: string[] = [], env?: NodeJS.ProcessEnv) =>
      toolkit(['--json', 'sync', 'people', '--from', `${ldap.url}/${SUFFIX}`, '--bind-dn', ldap.readerDn, ...(env ? [] : ['--bind-password-file', passwordFile]), ...extra], { base: ts.base, token, env });
    const user = async (email: string): Promise<ScimUser> => {
      const found = await scim.findUserByUserName(email);
      assert.ok(found, `${email} exists`);
      return found;
    };
    const modify = async (target: string, attribute: string, value: string) => {
      const c = await ldap.admin();
      await c.modify(target, new Change({ operation: 'replace', modification: new Attribute({ type: attribute, values: [value] }) }));
      await c.unbind();
    };

    before(async () => {
      ldap = await startSlapd({ tls: true });
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_DEACTIVATION_GUARD_PERCENT: '10', COMMONPLACE_DEACTIVATION_GUARD_MINIMUM: '3' } });
      token = (await ts.integration(['manage_accounts'])).access_token;
      scim = new ScimClient({ baseUrl: `${ts.base}/scim/v2`, accessToken: token });
      passwordFile = path.join(ldap.dir, 'bind-password');
      fs.writeFileSync(passwordFile, `${ldap.password}\n`, { mode: 0o600 });
      const c = await ldap.admin();
      const entries = [
        // The CEO is listed after the people who report to her: managers are set once everyone exists.
        adUser('Ana Lind', { upn: 'ana@example.com', given: 'Ana', sn: 'Lind', employeeId: 'E100', department: 'Sales', title: 'Rep', phone: '+1 555 0100', manager: `CN=Cleo Park, OU=People, DC=example, DC=com` }),
        adUser('Ben Ortiz', { upn: 'ben.o@corp.example.com', mail: 'ben@example.com', given: 'Ben', sn: 'Ortiz', employeeId: 'E101', department: 'Sales', title: 'Rep', manager: dn('Cleo Park') }),
        adUser('Cleo Park', { upn: 'cleo@example.com', given: 'Cleo', sn: 'Park', employeeId: 'E001', department: 'Sales', title: 'Head of Sales' }),
        adUser('Old Timer', { upn: 'old@example.com', given: 'Old', sn: 'Timer', employeeId: 'E050', department: 'Sales', disabled: true }),
        ldapPerson('dan', { mail: 'Dan@Example.com', given: 'Dan', sn: 'Roe', employeeNumber: 'E200', department: 'Ops', title: 'Operator', manager: dn('Ana Lind') }),
        ldapPerson('eve', { mail: 'eve@example.com', given: 'Eve', sn: 'Stone', employeeNumber: 'E201', department: 'Ops', manager: `cn=Nobody Here,${PEOPLE}` }),
        ...Array.from({ length: 8 }, (_, i) => ldapPerson(`staff${i}`, { mail: `staff${i}@example.com`, given: `Staff${i}`, sn: 'Member', employeeNumber: `S${i}`, department: 'Ops', manager: `uid=dan,${PEOPLE}` })),
      ];
      for (const [entryDn, attrs] of entries) await c.add(entryDn, attrs);
      // Not a person: the default filter leaves it out.
      await c.add(`cn=printers,${SUFFIX}`, { objectClass: 'organizationalRole', cn: 'printers' });
      await c.unbind();
    });
    after(async () => {
      await ts?.close();
      await ldap?.close();
    });

    test('first sync creates everyone (paged search), skips disabled accounts, resolves manager DNs; a rerun changes nothing', async () => {
      const unpaged = new Client({ url: ldap.url });
      await unpaged.bind(ldap.readerDn, ldap.password);
      await assert.rejects(unpaged.search(SUFFIX, { filter: '(objectClass=inetOrgPerson)' }), SizeLimitExceededError, 'the server caps unpaged searches');
      await unpaged.unbind();
      const dry = await sync(['--dry-run']);
      assert.equal(dry.code, 0, dry.err + dry.out);
      assert.equal(dry.json.people, 14, 'every person entry, beyond the 5 an unpaged search returns');
      assert.equal(dry.json.plan.create, 13, 'the disabled account is not created');
      assert.equal(await scim.findUserByUserName('ana@example.com'), undefined, 'a dry run writes nothing');

      const first = await sync();
      assert.equal(first.code, 0, first.err + first.out);
      assert.deepEqual(first.json.plan, { create: 13, update: 0, reactivate: 0, deactivate: 0, manager: 11 });
      assert.equal(first.json.applied.created, 13);
      assert.ok(first.json.warnings.some((w: string) => w.includes(`uid=eve,${PEOPLE}`) && w.includes('cn=nobody here')), first.json.warnings.join('\n'));
      assert.equal(await scim.findUserByUserName('old@example.com'), undefined);

      const ana = await user('ana@example.com');
      const cleo = await user('cleo@example.com');
      const dan = await user('dan@example.com');
      assert.equal(ana.name?.givenName, 'Ana');
      assert.equal(ana.name?.familyName, 'Lind');
      assert.equal(ana.displayName, 'Ana Lind');
      assert.equal(ana.title, 'Rep');
      assert.equal(ana[ENT]?.department, 'Sales');
      assert.equal(ana[ENT]?.employeeNumber, 'E100');
      assert.equal(ana.phoneNumbers?.[0]?.value, '+1 555 0100');
      assert.match(ana.externalId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-/, 'externalId is the entryUUID');
      assert.equal(ana[ENT]?.manager?.value, cleo.id, 'manager DN (spelled differently) resolved');
      assert.equal((await user('ben@example.com'))[ENT]?.manager?.value, cleo.id, 'mail wins over userPrincipalName');
      assert.equal(dan[ENT]?.department, 'Ops', 'OpenLDAP departmentNumber');
      assert.equal(dan[ENT]?.employeeNumber, 'E200');
      assert.equal(dan[ENT]?.manager?.value, ana.id);
      assert.equal((await user('staff3@example.com'))[ENT]?.manager?.value, dan.id);

      const emails = ['ana', 'ben', 'cleo', 'dan', 'eve', 'staff0'].map((n) => `${n}@example.com`);
      const versions = await Promise.all(emails.map(async (e) => (await user(e)).meta?.version));
      const again = await sync([], { LDAP_BIND_PASSWORD: ldap.password });
      assert.equal(again.code, 0, again.err);
      assert.deepEqual(again.json.plan, { create: 0, update: 0, reactivate: 0, deactivate: 0, manager: 0 });
      assert.equal(again.json.applied, undefined);
      assert.deepEqual(await Promise.all(emails.map(async (e) => (await user(e)).meta?.version)), versions);
    });

    test('a disabled AD account is deactivated, changed attributes only are written, a re-enabled one comes back', async () => {
      await modify(dn('Ben Ortiz'), 'userAccountControl', '66050'); // 0x10202: disabled, password never expires
      await modify(dn('Ana Lind'), 'title', 'Senior Rep');
      const r = await toolkit(['sync', 'people', '--from', ldap.url, '--base-dn', PEOPLE, '--bind-dn', ldap.readerDn, '--bind-password-file', passwordFile], { base: ts.base, token });
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.out, /~ update ana@example\.com: title "Rep" → "Senior Rep"\n/);
      assert.match(r.out, /- deactivate ben@example\.com \(inactive in source\)/);
      assert.match(r.out, /0 to create, 1 to update, 0 to reactivate, 0 managers to set, 1 to deactivate/);
      assert.equal((await user('ben@example.com')).active, false);
      assert.equal((await user('ana@example.com')).title, 'Senior Rep');

      await modify(dn('Ben Ortiz'), 'userAccountControl', '512');
      const back = await sync();
      assert.equal(back.code, 0, back.err);
      assert.deepEqual(back.json.plan, { create: 0, update: 0, reactivate: 1, deactivate: 0, manager: 0 });
      assert.equal((await user('ben@example.com')).active, true);
    });

    test('--map reads other attributes', async () => {
      const r = await sync(['--map', 'email=userPrincipalName,title=employeeType', '--deactivate', 'none', '--dry-run']);
      assert.equal(r.code, 0, r.err);
      // Ben's userPrincipalName differs from his mail: by userPrincipalName he is a new address of the same person (matched by entryUUID).
      assert.ok(r.json.changes.some((c: string) => c.startsWith('~ update ben.o@corp.example.com: email "ben@example.com" → "ben.o@corp.example.com"')), r.json.changes.join('\n'));
      assert.ok(r.json.changes.some((c: string) => /~ update ana@example\.com: title "Senior Rep" → ∅/.test(c)), 'a mapped attribute no entry has clears the field');
    });

    test('a wrong bind password is refused with a clear message and never printed', async () => {
      fs.writeFileSync(path.join(ldap.dir, 'wrong'), 'not-the-Password-42');
      const r = await toolkit(['sync', 'people', '--from', `${ldap.url}/${SUFFIX}`, '--bind-dn', ldap.readerDn, '--bind-password-file', path.join(ldap.dir, 'wrong')], { base: ts.base, token });
      assert.equal(r.code, 2);
      assert.match(r.err, /the directory refused the bind \(invalid credentials\)/);
      const noPassword = await toolkit(['sync', 'people', '--from', `${ldap.url}/${SUFFIX}`, '--bind-dn', ldap.readerDn], { base: ts.base, token });
      assert.equal(noPassword.code, 2);
      assert.match(noPassword.err, /--bind-dn needs a password/);
      const ok = await sync(['--dry-run', '--verbose']);
      for (const text of [r.out, r.err, ok.out, ok.err]) {
        assert.ok(!text.includes('not-the-Password-42') && !text.includes(ldap.password), 'no password in the output');
      }
      const refused = await toolkit(['sync', 'people', '--from', `${ldap.url}/${SUFFIX}`, '--bind-dn', ADMIN_DN, '--bind-password-file', passwordFile, '--filter', '(objectClass=inetOrgPerson'], { base: ts.base, token });
      assert.equal(refused.code, 2, refused.err);
    });

    test('ldaps:// and StartTLS with the directory certificate from --ldap-ca; an unknown certificate is refused', async () => {
      const args = ['--bind-dn', ldap.readerDn, '--bind-password-file', passwordFile, '--base-dn', SUFFIX, '--dry-run', '--json'];
      const ldaps = await toolkit(['sync', 'people', '--from', ldap.tlsUrl!, '--ldap-ca', ldap.caFile!, ...args], { base: ts.base, token });
      assert.equal(ldaps.code, 0, ldaps.err);
      assert.equal(ldaps.json.people, 14);
      assert.deepEqual(ldaps.json.plan, { create: 0, update: 0, reactivate: 0, deactivate: 0, manager: 0 });
      const startTls = await toolkit(['sync', 'people', '--from', ldap.url, '--start-tls', '--ldap-ca', ldap.caFile!, ...args], { base: ts.base, token });
      assert.equal(startTls.code, 0, startTls.err);
      assert.equal(startTls.json.people, 14);
      const untrusted = await toolkit(['sync', 'people', '--from', ldap.tlsUrl!, ...args], { base: ts.base, token });
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.err, /certificate/i);
    });

    test('a search that finds nobody is refused before anything is written', async () => {
      const r = await toolkit(['sync', 'people', '--from', `${ldap.url}/${SUFFIX}`, '--bind-dn', ldap.readerDn, '--bind-password-file', passwordFile, '--filter', '(mail=nobody@example.com)'], { base: ts.base, token });
      assert.equal(r.code, 2, r.out + r.err);
      assert.match(r.err, /lists nobody: refusing to deactivate 13 people \(check the file, or the LDAP base DN and filter\)/);
      assert.equal((await user('ana@example.com')).active, true);
    });

    test('a search that finds almost nobody stops at the mass-deactivation guard', async () => {
      const r = await toolkit(['sync', 'people', '--from', `${ldap.url}/${SUFFIX}`, '--bind-dn', ldap.readerDn, '--bind-password-file', passwordFile, '--filter', '(cn=Cleo Park)', '--bulk-size', '0', '--concurrency', '1'], { base: ts.base, token });
      assert.equal(r.code, 3, r.out + r.err);
      assert.match(r.out, /plan: 0 to create, 0 to update, 0 to reactivate, 0 managers to set, 12 to deactivate/);
      // The guard allows 3 an hour (COMMONPLACE_DEACTIVATION_GUARD_MINIMUM) and Ben was one: 2 more, then it refuses.
      assert.match(r.out, /applied: 0 created, 0 updated, 0 reactivated, 0 managers set, 2 deactivated/);
      assert.match(r.out, /STOPPED: the server's mass-deactivation guard refused a deactivation; 10 deactivations were not applied and will not be retried/);
      assert.match(r.out, /an empty or truncated export looks like everyone left/);
      const active = [];
      for await (const u of scim.users({ filter: 'active eq true' })) active.push(u);
      assert.equal(active.length, 12, 'admin, Cleo and the 10 the guard kept');
    });
  });
}
