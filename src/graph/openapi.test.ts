import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { dialects } from '../../test/helpers/dialects.js';
import { http, startServer, type TestServer } from '../../test/helpers/server.js';
import { registry } from './nodes/index.js';

// /graph/openapi.json is generated from the registry: every node type with its fields, every
// edge, every write with its parameters and the error object, valid OpenAPI 3.1.

for (const dialect of await dialects()) {
  describe(`Graph OpenAPI document (${dialect})`, () => {
    let ts: TestServer;
    let doc: any;

    before(async () => {
      ts = await startServer(dialect);
      const r = await http('GET', `${ts.graph}/openapi.json`);
      assert.equal(r.status, 200, r.text);
      doc = r.json;
    });
    after(() => ts.close());

    test('is valid against the OpenAPI 3.1 schema', async () => {
      assert.equal(doc.openapi, '3.1.0');
      const result = await new Validator().validate(doc);
      assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
    });

    test('holds every type with its fields, every edge and every route', () => {
      for (const [key, type] of registry.allTypes()) {
        const schema = doc.components.schemas[key];
        assert.ok(schema, `schema ${key}`);
        for (const name of [...Object.keys(type.fields), ...Object.keys(type.edges)]) assert.ok(name in schema.properties, `${key}.${name}`);
      }
      const operations = Object.values(doc.paths).flatMap((item: any) => Object.keys(item).filter((k) => k !== 'parameters').map((m) => item[m].operationId));
      for (const route of registry.routes) {
        const id = `${route.method.toLowerCase()}_${route.node}${route.edge ? `_${route.edge}` : ''}`;
        assert.ok(operations.includes(id), `operation ${id}`);
      }
      assert.equal(new Set(operations).size, operations.length, 'operation ids are unique');
      assert.ok(doc.paths['/{group-id}/feed'].post.requestBody.content['application/json'].schema.properties.message);
      assert.ok(doc.paths['/{group-id}/feed'].get, 'the feed edge is listed');
      assert.deepEqual(doc.components.schemas.Error.properties.error.required, ['message', 'type', 'code', 'fbtrace_id']);
      assert.equal(doc.servers[0].url, ts.graph);
    });
  });
}
