import fs from 'node:fs';
import path from 'node:path';
import { SDK_VERSION } from '@commonplace/sdk';
import { UsageError } from '../connection.js';

// `bot new NAME`: a bot project from the template in packages/toolkit/templates/bot (package.json
// depending on @commonplace/sdk, index.ts with createBot, a test over real HTTP, a README).

const TEMPLATE = path.resolve(import.meta.dirname, '../../templates/bot');
/** Template file → file in the project (names starting with a dot cannot ship in npm packages). */
const FILES: Record<string, string> = {
  'package.json.tmpl': 'package.json',
  'tsconfig.json.tmpl': 'tsconfig.json',
  'index.ts.tmpl': 'index.ts',
  'bot.test.ts.tmpl': 'bot.test.ts',
  'README.md.tmpl': 'README.md',
  'gitignore.tmpl': '.gitignore',
};

export interface ScaffoldResult {
  name: string;
  dir: string;
  files: string[];
}

/** The package name rules of npm: lower case, URL-safe, at most 214 characters. */
export function checkBotName(name: string): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name) || name.length > 214) {
    throw new UsageError(`bot name ${JSON.stringify(name)}: use lower-case letters, digits, "-", "." and "_", starting with a letter or digit (it becomes the npm package name)`);
  }
}

const titleOf = (name: string) =>
  name
    .split(/[-._]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');

/** Writes the project into `dir` (default ./NAME), which must not exist or be empty. */
export function scaffoldBot(name: string, dir = name): ScaffoldResult {
  checkBotName(name);
  const target = path.resolve(dir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) throw new UsageError(`${target} already exists and is not empty: choose another --dir`);
  fs.mkdirSync(target, { recursive: true });
  const values: Record<string, string> = { name, title: titleOf(name), sdkVersion: SDK_VERSION };
  const files: string[] = [];
  for (const [source, output] of Object.entries(FILES)) {
    const text = fs.readFileSync(path.join(TEMPLATE, source), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? `{{${key}}}`);
    fs.writeFileSync(path.join(target, output), text);
    files.push(output);
  }
  return { name, dir: target, files };
}
