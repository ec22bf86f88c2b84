import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { dialects, PG_URL } from '../helpers/dialects.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/commonplace.mjs');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

for (const dialect of await dialects()) {
  describe(`commonplace CLI (${dialect})`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-cli-'));
    const database = `cp_cli_${randomBytes(5).toString('hex')}`;
    const env: NodeJS.ProcessEnv = { ...process.env, COMMONPLACE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', COMMONPLACE_ADMIN_EMAIL: 'admin@example.com', COMMONPLACE_ADMIN_PASSWORD: 'cli-Admin-pass-1234' };
    delete env.DATABASE_URL;
    const cli = async (...args: string[]) => {
      const { stdout } = await run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
      return stdout.trim();
    };
    const json = async (...args: string[]) => JSON.parse((await cli(...args, '--json')).split('\n').pop()!);

    before(async () => {
      if (dialect === 'postgres') {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`create database ${database}`);
        await admin.end();
        const url = new URL(PG_URL);
        url.pathname = `/${database}`;
        env.DATABASE_URL = url.toString();
      }
    });
    after(async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dialect === 'postgres') {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`drop database if exists ${database} with (force)`);
        await admin.end();
      }
    });

    test('migrate, then create, list, rotate, disable, enable and delete an integration', async () => {
      assert.ok(Array.isArray((await json('migrate')).applied));
      const picture = path.join(dataDir, 'icon.png');
      fs.writeFileSync(picture, PNG);
      const created = await json('integration', 'create', '--name', 'CLI Bot', '--description', 'made by a test', '--picture', picture, '--permission', 'read_group', '--permission', 'write_group');
      assert.deepEqual(Object.keys(created).sort(), ['access_token', 'app_id', 'app_secret', 'page_id']);
      const list = await json('integration', 'list');
      const view = list.data.find((v: { app_id: string }) => v.app_id === created.app_id);
      assert.deepEqual(view.permissions, ['read_group', 'write_group']);
      assert.equal(view.groups, 'all');
      assert.ok(!JSON.stringify(list).includes(created.access_token));
      const rotated = await json('integration', 'rotate', created.app_id);
      assert.equal(rotated.app_id, created.app_id);
      assert.notEqual(rotated.access_token, created.access_token);
      assert.equal((await json('integration', 'disable', created.app_id)).changed, true);
      assert.equal((await json('integration', 'disable', created.app_id)).changed, false);
      assert.equal((await json('integration', 'enable', created.app_id)).changed, true);
      assert.equal((await json('integration', 'delete', created.app_id)).success, true);
      assert.equal((await json('integration', 'list')).data.some((v: { app_id: string }) => v.app_id === created.app_id), false);
    });

    test('human output shows the token once, with a warning', async () => {
      const out = await cli('integration', 'create', '--name', 'Human', '--permission', 'read_group');
      assert.match(out, /shown once/);
      assert.match(out, /cpit_/);
    });

    test('bad input exits non-zero with a clear message', async () => {
      await assert.rejects(run(process.execPath, [BIN, 'integration', 'create', '--name', 'X', '--permission', 'fly'], { env }), (e: { code: number; stderr: string }) => e.code === 1 && /Unknown permission fly/.test(e.stderr));
      await assert.rejects(run(process.execPath, [BIN, 'integration', 'rotate', '424242'], { env }), (e: { code: number; stderr: string }) => e.code === 1 && /No integration/.test(e.stderr));
      const bad = path.join(dataDir, 'bad.png');
      fs.writeFileSync(bad, 'not an image');
      await assert.rejects(run(process.execPath, [BIN, 'integration', 'create', '--name', 'X', '--picture', bad], { env }), (e: { stderr: string }) => /not a JPEG/.test(e.stderr));
    });

    test('demo seed fills a realistic community', async () => {
      const summary = await json('demo', 'seed', '--members', '55', '--groups', '8', '--posts', '120');
      assert.equal(summary.members, 55);
      assert.equal(summary.groups, 8);
      assert.equal(summary.posts, 120);
      assert.ok(summary.comments > 0 && summary.reactions > 0);
    });
  });
}
