// An FAQ bot for Commonplace (or Workplace) built only on @commonplace/sdk's createBot: it answers
// @mentions in groups and Work Chat questions from a Markdown file (`## Question` then the answer)
// or from a Knowledge Library category (each subcategory a question, its page the answer).
// Run: GRAPH_URL=… ACCESS_TOKEN=… APP_ID=… APP_SECRET=… VERIFY_TOKEN=… (FAQ_FILE=faq.md | KL_CATEGORY=id) CALLBACK_URL=… node --import tsx examples/faq-bot/bot.ts

import fs from 'node:fs';
import { createBot, GraphClient } from '@commonplace/sdk';

export interface Entry {
  question: string;
  answer: string;
}

/** Reads `## Question` sections (the text up to the next heading is the answer); other headings are ignored. */
export function entriesFromMarkdown(markdown: string): Entry[] {
  const entries: Entry[] = [];
  let current: { question: string; lines: string[] } | undefined;
  const close = () => {
    if (current && current.lines.join('\n').trim()) entries.push({ question: current.question, answer: current.lines.join('\n').trim() });
  };
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      close();
      current = heading[1] === '##' ? { question: heading[2]!, lines: [] } : undefined;
    } else if (current) current.lines.push(line);
  }
  close();
  return entries;
}

interface Block {
  type?: string;
  text?: string;
  children?: Block[];
}

/** The text of a Knowledge Library json_content block tree, one line per block. */
export function textOfBlocks(blocks: readonly Block[]): string {
  const lines: string[] = [];
  const walk = (block: Block): string => (block.text ?? '') + (block.children ?? []).map(walk).join('');
  for (const top of blocks) {
    const inner = top.children?.some((c) => c.children) ? top.children : [top];
    for (const b of inner!) {
      const text = walk(b).trim();
      if (text) lines.push(text);
    }
  }
  return lines.join('\n');
}

interface Category {
  id: string;
  title: string;
  content?: string;
  json_content?: Block[];
}

/** A category by id, or a root category by title (GET /community/knowledge_library_categories). */
export async function findCategory(graph: GraphClient, idOrTitle: string): Promise<string> {
  if (/^\d+$/.test(idOrTitle)) return idOrTitle;
  for await (const root of graph.paginate<Category>('community/knowledge_library_categories', { fields: 'id,title' })) {
    if (root.title.trim().toLowerCase() === idOrTitle.trim().toLowerCase()) return root.id;
  }
  throw new Error(`no Knowledge Library category titled ${JSON.stringify(idOrTitle)} (or the token lacks read_work_knowledge)`);
}

/** Every page under a category (subcategories at any depth): the title is the question, the page the answer. */
export async function entriesFromKnowledgeLibrary(graph: GraphClient, category: string): Promise<Entry[]> {
  const fields = 'id,title,content,json_content';
  const categoryId = await findCategory(graph, category);
  const entries: Entry[] = [];
  const visit = async (id: string) => {
    for await (const sub of graph.paginate<Category>(`${id}/subcategories`, { fields })) {
      const answer = (sub.content?.trim() || (sub.json_content ? textOfBlocks(sub.json_content) : '')).trim();
      if (answer) entries.push({ question: sub.title, answer });
      await visit(sub.id);
    }
  };
  await visit(categoryId);
  return entries;
}

const STOP = new Set('a an and are as at be by can do does for from how i in is it me my of on or our the to we what when where which who why will with you your'.split(' '));

const words = (text: string) =>
  (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((w) => w.length > 1 && !STOP.has(w))
    .map((w) => w.replace(/(ing|ed|es|s)$/, '') || w);

/** The entry that best matches a question (question words count double), or undefined when none shares a word with it. */
export function bestAnswer(entries: readonly Entry[], question: string): Entry | undefined {
  const asked = new Set(words(question));
  let best: { entry: Entry; score: number } | undefined;
  for (const entry of entries) {
    const q = new Set(words(entry.question));
    const a = new Set(words(entry.answer));
    let score = 0;
    for (const w of asked) score += q.has(w) ? 2 : a.has(w) ? 1 : 0;
    if (score > 0 && (!best || score > best.score)) best = { entry, score };
  }
  return best?.entry;
}

export interface FaqOptions {
  graphUrl: string;
  accessToken: string;
  appId: string;
  appSecret: string;
  verifyToken: string;
  /** A Markdown file of `## Question` sections… */
  faqFile?: string;
  /** …or a Knowledge Library category: its id, or the title of a root category (the token needs read_work_knowledge). */
  category?: string;
  /** How long the questions are kept before they are read again (default 60 s; 0 reads them for each question). */
  refreshMs?: number;
  host?: string;
  port?: number;
  callbackUrl?: string;
  log?: (line: string) => void;
}

export interface RunningFaq {
  url: string;
  answer(question: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFaqBot(options: FaqOptions): Promise<RunningFaq> {
  if (!options.faqFile === !options.category) throw new Error('give faqFile or category (one of them)');
  const log = options.log ?? ((line: string) => console.log(line));
  const graph = new GraphClient({ baseUrl: options.graphUrl, accessToken: options.accessToken });
  const refreshMs = options.refreshMs ?? 60_000;
  let cache: { at: number; entries: Entry[] } | undefined;
  const load = async () => {
    if (cache && Date.now() - cache.at < refreshMs) return cache.entries;
    const entries = options.faqFile ? entriesFromMarkdown(fs.readFileSync(options.faqFile, 'utf8')) : await entriesFromKnowledgeLibrary(graph, options.category!);
    cache = { at: Date.now(), entries };
    return entries;
  };
  const answer = async (question: string) => {
    const entries = await load();
    const hit = bestAnswer(entries, question);
    if (hit) return `${hit.question}\n${hit.answer}`;
    const topics = entries.slice(0, 8).map((e) => `• ${e.question}`);
    return ['I could not find an answer to that.', ...(topics.length ? ['I can answer:', ...topics] : [])].join('\n');
  };

  const bot = createBot({
    graph,
    appId: options.appId,
    appSecret: options.appSecret,
    verifyToken: options.verifyToken,
    onError: (error) => log(`error: ${(error as Error).message}`),
    async onMention(mention, turn) {
      // Drop the mention of the bot itself (as @[id] or as its name, the first tag).
      const tag = mention.message_tags?.find((t) => t.type === 'page');
      let text = (mention.message ?? '').replace(/@\[\d+\]/g, ' ');
      if (tag?.name) text = text.split(tag.name).join(' ');
      await turn.reply(`@[${mention.from.id}] ${await answer(text)}`);
    },
    async onMessage(message, turn) {
      await turn.typing();
      await turn.reply(await answer(message.text ?? ''));
    },
  });
  const listening = await bot.listen(options.port ?? 0, { host: options.host });
  if (options.callbackUrl !== undefined) {
    const callbackUrl = options.callbackUrl || listening.url;
    await bot.subscribe(callbackUrl, { page: ['mention', 'messages'] });
    log(`subscribed ${callbackUrl}`);
  }
  log(`listening on ${listening.url}`);
  return { url: listening.url, answer, close: () => listening.close() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  await startFaqBot({
    graphUrl: env('GRAPH_URL'),
    accessToken: env('ACCESS_TOKEN'),
    appId: env('APP_ID'),
    appSecret: env('APP_SECRET'),
    verifyToken: env('VERIFY_TOKEN'),
    faqFile: process.env.FAQ_FILE,
    category: process.env.KL_CATEGORY,
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
    callbackUrl: process.env.CALLBACK_URL ?? '',
  });
}
