// A help-desk bot for Commonplace (or Workplace) built only on @commonplace/sdk:
//  - mentioned in a group post or comment (`page`/`mention`), it likes it and replies as its page;
//  - in Work Chat (`page`/`messages`, `messaging_postbacks`), it offers quick replies, then a
//    button, and opens a "ticket" when the button is tapped.
// Run: GRAPH_URL=… ACCESS_TOKEN=… APP_ID=… APP_SECRET=… VERIFY_TOKEN=… CALLBACK_URL=… node --import tsx examples/mention-chat-bot/bot.ts

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createWebhookListener,
  GraphClient,
  sendMessage,
  senderAction,
  sendText,
  setMessengerProfile,
  subscribeWebhook,
  type WebhookEvent,
} from '@commonplace/sdk';

export interface BotOptions {
  /** Graph base URL, e.g. http://127.0.0.1:8080/graph (Workplace: https://graph.workplace.com). */
  graphUrl: string;
  accessToken: string;
  appId: string;
  appSecret: string;
  verifyToken: string;
  host?: string;
  port?: number;
  /** The URL the server reaches this bot at ('' = where it listens); when given, the bot subscribes itself at start. */
  callbackUrl?: string;
  log?: (line: string) => void;
}

export interface RunningBot {
  url: string;
  close(): Promise<void>;
}

const TOPICS = { HW: 'hardware', SW: 'software' } as const;

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const log = options.log ?? ((line: string) => console.log(line));
  const graph = new GraphClient({ baseUrl: options.graphUrl, accessToken: options.accessToken });
  const app = new GraphClient({ baseUrl: options.graphUrl, appId: options.appId, appSecret: options.appSecret });

  async function onMention(value: { item: string; post_id: string; comment_id?: string; from: { id: string; name?: string } }) {
    const target = value.item === 'comment' && value.comment_id ? value.comment_id : value.post_id;
    await graph.like(target);
    const post = await graph.getPost(value.post_id, 'message,permalink_url');
    log(`mentioned in ${value.post_id}: ${post.message ?? ''}`);
    await graph.comment(target, `Hi @[${value.from.id}], I'm on it. Write to me in Work Chat for anything else.`);
  }

  async function onChat(event: Extract<WebhookEvent, { object: 'page' }>) {
    // In a group chat answer in the thread; in a 1:1 chat answer the sender.
    const to = event.thread ? event.thread.id : event.sender.id;
    if (event.type === 'message') {
      const choice = event.message?.quick_reply?.payload as keyof typeof TOPICS | undefined;
      await senderAction(graph, to, 'mark_seen');
      if (choice && TOPICS[choice]) {
        await sendMessage(graph, to, {
          attachment: {
            type: 'template',
            payload: { template_type: 'button', text: `Open a ${TOPICS[choice]} ticket?`, buttons: [{ type: 'postback', title: 'Open ticket', payload: `TICKET_${choice}` }] },
          },
        });
      } else {
        await senderAction(graph, to, 'typing_on');
        await sendText(graph, to, 'What kind of problem is it?', { Hardware: 'HW', Software: 'SW' });
      }
    } else if (event.type === 'postback') {
      const payload = event.postback!.payload;
      if (payload === 'GET_STARTED') await sendText(graph, to, 'Hello! What kind of problem is it?', { Hardware: 'HW', Software: 'SW' });
      else if (payload.startsWith('TICKET_')) await sendText(graph, to, `Ticket opened for ${TOPICS[payload.slice(7) as keyof typeof TOPICS] ?? 'your'} problem. We will be in touch.`);
    }
  }

  const listener = createWebhookListener({
    appSecret: options.appSecret,
    verifyToken: options.verifyToken,
    onError: (error) => log(`error: ${(error as Error).message}`),
    async onEvent(event) {
      if (event.type === 'change' && event.object === 'page' && event.field === 'mention') await onMention(event.value);
      else if (event.object === 'page' && event.type !== 'change') await onChat(event);
    },
  });
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}/`;
  await setMessengerProfile(graph, { greeting: [{ locale: 'default', text: 'Hi! I am the help desk bot.' }], get_started: { payload: 'GET_STARTED' } });
  if (options.callbackUrl !== undefined) {
    const callbackUrl = options.callbackUrl || url;
    await subscribeWebhook(app, { object: 'page', fields: ['mention', 'messages', 'messaging_postbacks'], callbackUrl, verifyToken: options.verifyToken });
    log(`subscribed ${callbackUrl}`);
  }
  log(`listening on ${url}`);
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  await startBot({
    graphUrl: env('GRAPH_URL'),
    accessToken: env('ACCESS_TOKEN'),
    appId: env('APP_ID'),
    appSecret: env('APP_SECRET'),
    verifyToken: env('VERIFY_TOKEN'),
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
    callbackUrl: process.env.CALLBACK_URL ?? '',
  });
}
