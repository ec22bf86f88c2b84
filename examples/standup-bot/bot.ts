// A standup bot for Commonplace (or Workplace) built only on @commonplace/sdk's createBot:
// start() asks each member of a group, in Work Chat, the standup questions one after the other;
// when everyone has answered (or skipped), or finish() is called at the deadline, it posts the
// summary into the group.
// Run: GRAPH_URL=… ACCESS_TOKEN=… APP_ID=… APP_SECRET=… VERIFY_TOKEN=… GROUP_ID=… CALLBACK_URL=… node --import tsx examples/standup-bot/bot.ts

import { createBot, GraphClient, sendMessage, type ChatTurn } from '@commonplace/sdk';

export const DEFAULT_QUESTIONS = ['What did you do yesterday?', 'What will you do today?', 'Is anything blocking you?'];
const SKIP = 'STANDUP_SKIP';

export interface StandupOptions {
  /** Graph base URL, e.g. http://127.0.0.1:8080/graph (Workplace: https://graph.workplace.com). */
  graphUrl: string;
  accessToken: string;
  appId: string;
  appSecret: string;
  verifyToken: string;
  /** The group whose members are asked, and where the summary goes. */
  groupId: string;
  questions?: readonly string[];
  host?: string;
  port?: number;
  /** The URL the server reaches this bot at ('' = where it listens); when given, the bot subscribes itself at start. */
  callbackUrl?: string;
  /** The date of a round, as the summary shows it. */
  today?: () => string;
  log?: (line: string) => void;
}

interface Person {
  name: string;
  answers: string[];
  skipped: boolean;
}

interface Round {
  date: string;
  groupName: string;
  people: Map<string, Person>;
}

export interface RunningStandup {
  url: string;
  /** Asks every member the first question; a round still open is summarised first. */
  start(): Promise<{ asked: number }>;
  /** Posts the summary of the open round (who answered what, who skipped, who did not answer); resolves to the post id. */
  finish(): Promise<string | undefined>;
  close(): Promise<void>;
}

const done = (p: Person, questions: readonly string[]) => p.skipped || p.answers.length >= questions.length;

/** The summary post, in Markdown. */
export function summaryOf(round: Round, questions: readonly string[]): string {
  const lines = [`**Standup — ${round.groupName} — ${round.date}**`, ''];
  const people = [...round.people.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const p of people.filter((x) => x.answers.length > 0)) {
    lines.push(`**${p.name}**`, ...p.answers.map((a, i) => `- ${questions[i]} ${a}`), '');
  }
  const skipped = people.filter((p) => p.skipped && p.answers.length === 0).map((p) => p.name);
  const silent = people.filter((p) => !p.skipped && p.answers.length === 0).map((p) => p.name);
  if (skipped.length) lines.push(`Skipped today: ${skipped.join(', ')}`);
  if (silent.length) lines.push(`No update from: ${silent.join(', ')}`);
  return lines.join('\n').trim();
}

export async function startStandup(options: StandupOptions): Promise<RunningStandup> {
  const log = options.log ?? ((line: string) => console.log(line));
  const questions = options.questions?.length ? options.questions : DEFAULT_QUESTIONS;
  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  const graph = new GraphClient({ baseUrl: options.graphUrl, accessToken: options.accessToken });
  const me = await graph.me<{ id: string }>('id');
  let round: Round | undefined;

  const ask = (to: string, text: string) => sendMessage(graph, to, { text, quick_replies: [{ content_type: 'text', title: 'Skip today', payload: SKIP }] }, 'UPDATE');

  async function finish(): Promise<string | undefined> {
    const closing = round;
    if (!closing) return undefined;
    round = undefined;
    const { id } = await graph.postToGroup(options.groupId, { message: summaryOf(closing, questions), formatting: 'MARKDOWN' });
    log(`standup summary posted: ${id}`);
    return id;
  }

  async function answered(turn: ChatTurn, reply: (p: Person) => string, update: (p: Person) => void) {
    const person = round?.people.get(turn.sender.id);
    if (!person || done(person, questions)) {
      await turn.reply('There is no standup question waiting for you. I will ask at the next standup.');
      return;
    }
    update(person);
    await turn.reply(done(person, questions) ? reply(person) : questions[person.answers.length]!, done(person, questions) ? undefined : { 'Skip today': SKIP });
    if (round && [...round.people.values()].every((p) => done(p, questions))) await finish();
  }

  const bot = createBot({
    graph,
    appId: options.appId,
    appSecret: options.appSecret,
    verifyToken: options.verifyToken,
    pageId: me.id,
    onError: (error) => log(`error: ${(error as Error).message}`),
    onMessage: (message, turn) =>
      answered(
        turn,
        () => 'Thanks! Your update goes into the summary.',
        (p) => void p.answers.push((message.text ?? '').trim() || '(no text)'),
      ),
    onQuickReply: (quick, turn) =>
      quick.payload === SKIP
        ? answered(
            turn,
            (p) => (p.answers.length ? 'OK, the rest is skipped.' : 'OK, skipping you today.'),
            (p) => void (p.skipped = true),
          )
        : undefined,
  });

  const listening = await bot.listen(options.port ?? 0, { host: options.host });
  if (options.callbackUrl !== undefined) {
    const callbackUrl = options.callbackUrl || listening.url;
    await bot.subscribe(callbackUrl, { page: ['messages'] });
    log(`subscribed ${callbackUrl}`);
  }
  log(`listening on ${listening.url}`);

  return {
    url: listening.url,
    async start() {
      await finish();
      const group = await graph.group(options.groupId, 'name');
      const people = new Map<string, Person>();
      for await (const m of graph.members(options.groupId, { fields: 'id,name' })) {
        if (m.id !== me.id) people.set(m.id, { name: m.name ?? m.id, answers: [], skipped: false });
      }
      round = { date: today(), groupName: group.name ?? options.groupId, people };
      for (const [id, p] of people) await ask(id, `Good morning ${p.name.split(' ')[0]}! Standup for ${round.groupName}. ${questions[0]}`);
      log(`standup started: asked ${people.size} people`);
      return { asked: people.size };
    },
    finish,
    close: () => listening.close(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  const standup = await startStandup({
    graphUrl: env('GRAPH_URL'),
    accessToken: env('ACCESS_TOKEN'),
    appId: env('APP_ID'),
    appSecret: env('APP_SECRET'),
    verifyToken: env('VERIFY_TOKEN'),
    groupId: env('GROUP_ID'),
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
    callbackUrl: process.env.CALLBACK_URL ?? '',
  });
  // Asks now, summarises after DEADLINE_MINUTES (default 120) for whoever answered by then.
  await standup.start();
  setTimeout(() => void standup.finish(), Number(process.env.DEADLINE_MINUTES ?? 120) * 60_000);
}
