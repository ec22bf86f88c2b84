import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../test/helpers/dialects.js';
import { http, startServer, type TestServer } from '../../test/helpers/server.js';

// Names a client sends (fields, edges, modifiers, aliases) are looked up as own entries only:
// the names of Object.prototype's members are unknown like any other, never a 500.

const NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

for (const dialect of await dialects()) {
  describe(`prototype member names on the Graph surface (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let group: string;

    before(async () => {
      ts = await startServer(dialect);
      token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Names' } })).json.id;
      await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'hello' } });
    });
    after(() => ts.close());

    test('as a field of a node: unknown field (100)', async () => {
      for (const name of NAMES) {
        for (const path of ['me', group]) {
          const r = await http('GET', `${ts.graph}/${path}?fields=${encodeURIComponent(name)}`, { token });
          assert.equal(r.status, 400, `${path}?fields=${name}: ${r.text}`);
          assert.equal(r.json.error.code, 100);
          assert.match(r.json.error.message, /nonexisting field/);
        }
      }
    });

    test('as a nested field, an edge field or an edge modifier: error 100', async () => {
      for (const name of NAMES) {
        for (const fields of [`feed{${name}}`, `feed{from{${name}}}`, `feed.${name}(1)`, `owner{${name}}`]) {
          const r = await http('GET', `${ts.graph}/${group}?fields=${encodeURIComponent(fields)}`, { token });
          assert.equal(r.status, 400, `${fields}: ${r.text}`);
          assert.equal(r.json.error.code, 100, `${fields}: ${r.text}`);
        }
      }
    });

    test('as an alias: the value is written under that name', async () => {
      const r = await http('GET', `${ts.graph}/${group}?fields=${encodeURIComponent('name.as(__proto__),id.as(constructor)')}`, { token });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.text.includes('"__proto__":"Names"'), r.text);
      assert.ok(r.text.includes(`"constructor":"${group}"`), r.text);
    });

    test('as an edge of the path: unknown path components (2500)', async () => {
      for (const name of NAMES) {
        for (const method of ['GET', 'POST', 'DELETE']) {
          const r = await http(method, `${ts.graph}/${group}/${encodeURIComponent(name)}`, { token });
          assert.equal(r.status, 400, `${method} /${group}/${name}: ${r.text}`);
          assert.equal(r.json.error.code, 2500, `${method} /${group}/${name}: ${r.text}`);
        }
      }
    });

    test('as the node of the path: unknown object (100)', async () => {
      for (const name of NAMES) {
        const r = await http('GET', `${ts.graph}/${encodeURIComponent(name)}`, { token });
        assert.equal(r.status, 400, `/${name}: ${r.text}`);
        assert.equal(r.json.error.code, 100);
      }
    });
  });
}
