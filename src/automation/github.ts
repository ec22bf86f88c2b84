// GitHub webhook events as readable Markdown posts. Pure functions: the signature check is
// verifyGithubSignature, the rest only reads the payload (which may lack any field).

import { createHmac, timingSafeEqual } from 'node:crypto';
import { escapeMarkdown } from './slack.js';

type Json = Record<string, any>;

/** True when `header` is `sha256=` + the HMAC-SHA256 of the exact body bytes with the secret. */
export function verifyGithubSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'), 'utf8');
  const given = Buffer.from(header.slice(7).toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const esc = (v: unknown) => escapeMarkdown(text(v));

function link(label: unknown, url: unknown): string {
  const l = esc(label);
  return typeof url === 'string' && /^https?:\/\//.test(url) ? `[${l}](${url})` : l;
}

function repo(p: Json): string {
  const r = p.repository;
  return r ? link(r.full_name ?? r.name, r.html_url) : p.organization ? esc(p.organization.login) : 'GitHub';
}

const who = (p: Json) => (p.sender?.login ? link(p.sender.login, p.sender.html_url) : 'someone');

/** The first line of a commit message or body, cut to a readable length. */
function firstLine(value: unknown, max = 120): string {
  const line = text(value).split('\n')[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function quote(value: unknown, max = 500): string {
  const body = text(value).trim();
  if (!body) return '';
  const cut = body.length > max ? `${body.slice(0, max - 1)}…` : body;
  return cut
    .split('\n')
    .map((l) => `> ${escapeMarkdown(l)}`)
    .join('\n');
}

const branchOf = (ref: unknown) => text(ref).replace(/^refs\/(heads|tags)\//, '');

function push(p: Json): string {
  const branch = esc(branchOf(p.ref));
  const commits: Json[] = Array.isArray(p.commits) ? p.commits : [];
  const isTag = text(p.ref).startsWith('refs/tags/');
  if (p.deleted) return `🗑️ ${who(p)} deleted ${isTag ? 'tag' : 'branch'} \`${branch}\` in ${repo(p)}`;
  const head = p.created ? `🌱 ${who(p)} created ${isTag ? 'tag' : 'branch'} \`${branch}\` in ${repo(p)}` : `⬆️ ${who(p)} pushed ${commits.length} commit${commits.length === 1 ? '' : 's'} to \`${branch}\` in ${repo(p)}`;
  const lines = commits.slice(0, 10).map((c) => `- ${link(text(c.id).slice(0, 7), c.url)} ${escapeMarkdown(firstLine(c.message))}${c.author?.name ? ` — ${esc(c.author.name)}` : ''}`);
  if (commits.length > 10) lines.push(`- … and ${commits.length - 10} more`);
  const compare = p.compare ? `\n\n${link(p.forced ? 'Compare (force-pushed)' : 'Compare changes', p.compare)}` : '';
  return [head, lines.join('\n')].filter(Boolean).join('\n\n') + compare;
}

function pullRequest(p: Json): string {
  const pr = p.pull_request ?? {};
  const action = pr.merged && p.action === 'closed' ? 'merged' : text(p.action).replace(/_/g, ' ');
  const icon = action === 'merged' ? '🟣' : action === 'opened' || action === 'reopened' ? '🟢' : action === 'closed' ? '🔴' : '🔀';
  const head = `${icon} ${who(p)} ${action} pull request ${link(`#${text(pr.number ?? p.number)} ${firstLine(pr.title)}`, pr.html_url)} in ${repo(p)}`;
  const detail: string[] = [];
  if (pr.head?.ref && pr.base?.ref) detail.push(`\`${esc(pr.head.ref)}\` → \`${esc(pr.base.ref)}\``);
  if (p.action === 'opened' && pr.body) detail.push(quote(pr.body));
  if (p.action === 'review_requested' && p.requested_reviewer?.login) detail.push(`Review requested from ${esc(p.requested_reviewer.login)}`);
  if ((p.action === 'labeled' || p.action === 'unlabeled') && p.label?.name) detail.push(`Label: \`${esc(p.label.name)}\``);
  if ((p.action === 'assigned' || p.action === 'unassigned') && p.assignee?.login) detail.push(`Assignee: ${esc(p.assignee.login)}`);
  return [head, ...detail].join('\n\n');
}

function issues(p: Json): string {
  const issue = p.issue ?? {};
  const action = text(p.action).replace(/_/g, ' ');
  const icon = action === 'opened' || action === 'reopened' ? '🟢' : action === 'closed' ? '✅' : action === 'deleted' ? '🗑️' : '📝';
  const head = `${icon} ${who(p)} ${action} issue ${link(`#${text(issue.number)} ${firstLine(issue.title)}`, issue.html_url)} in ${repo(p)}`;
  const detail: string[] = [];
  if (p.action === 'opened' && issue.body) detail.push(quote(issue.body));
  if ((p.action === 'labeled' || p.action === 'unlabeled') && p.label?.name) detail.push(`Label: \`${esc(p.label.name)}\``);
  if ((p.action === 'assigned' || p.action === 'unassigned') && p.assignee?.login) detail.push(`Assignee: ${esc(p.assignee.login)}`);
  if ((p.action === 'milestoned' || p.action === 'demilestoned') && p.milestone?.title) detail.push(`Milestone: ${esc(p.milestone.title)}`);
  return [head, ...detail].join('\n\n');
}

function issueComment(p: Json): string {
  const issue = p.issue ?? {};
  const kind = issue.pull_request ? 'pull request' : 'issue';
  const verb = p.action === 'created' ? 'commented on' : `${text(p.action)} a comment on`;
  const head = `💬 ${who(p)} ${verb} ${kind} ${link(`#${text(issue.number)} ${firstLine(issue.title)}`, p.comment?.html_url ?? issue.html_url)} in ${repo(p)}`;
  return [head, p.action === 'deleted' ? '' : quote(p.comment?.body)].filter(Boolean).join('\n\n');
}

function release(p: Json): string {
  const r = p.release ?? {};
  const name = r.name || r.tag_name;
  const head = `🚀 ${who(p)} ${text(p.action)} ${r.prerelease ? 'pre-release' : 'release'} ${link(name, r.html_url)} of ${repo(p)}`;
  return [head, r.tag_name && r.tag_name !== name ? `Tag \`${esc(r.tag_name)}\`` : '', p.action === 'published' || p.action === 'released' || p.action === 'created' ? quote(r.body, 800) : ''].filter(Boolean).join('\n\n');
}

const CONCLUSION_ICONS: Record<string, string> = { success: '✅', failure: '❌', cancelled: '⏹️', timed_out: '⏱️', action_required: '⚠️', neutral: '⚪', skipped: '⏭️', stale: '⚪' };

function workflowRun(p: Json): string {
  const run = p.workflow_run ?? {};
  const name = run.name ?? p.workflow?.name ?? 'Workflow';
  const state = p.action === 'completed' ? text(run.conclusion || 'completed') : p.action === 'requested' ? 'requested' : 'in progress';
  const icon = p.action === 'completed' ? CONCLUSION_ICONS[text(run.conclusion)] ?? '🏁' : '🔄';
  const head = `${icon} Workflow ${link(`${text(name)} #${text(run.run_number)}`, run.html_url)} ${escapeMarkdown(state.replace(/_/g, ' '))} in ${repo(p)}`;
  const detail = [run.head_branch ? `on \`${esc(run.head_branch)}\`` : '', run.event ? `triggered by ${esc(run.event)}` : '', run.actor?.login ? `by ${esc(run.actor.login)}` : ''].filter(Boolean).join(' ');
  const commit = run.head_commit?.message ? `\n\n${escapeMarkdown(firstLine(run.head_commit.message))}` : '';
  return head + (detail ? `\n\n${detail}` : '') + commit;
}

/** Events posted in full; any other event gets a one-line summary. */
export const GITHUB_RENDERED = ['push', 'pull_request', 'issues', 'issue_comment', 'release', 'workflow_run'] as const;

/**
 * The Markdown post for one GitHub event, or null for `ping` (GitHub's hello when a webhook is
 * set up, which is answered but not posted).
 */
export function renderGithubEvent(event: string, payload: Json): string | null {
  switch (event) {
    case 'ping':
      return null;
    case 'push':
      return push(payload);
    case 'pull_request':
      return pullRequest(payload);
    case 'issues':
      return issues(payload);
    case 'issue_comment':
      return issueComment(payload);
    case 'release':
      return release(payload);
    case 'workflow_run':
      return workflowRun(payload);
    default: {
      const action = payload.action ? ` ${esc(payload.action).replace(/_/g, ' ')}` : '';
      return `🔔 GitHub \`${esc(event)}\`${action} in ${repo(payload)} by ${who(payload)}`;
    }
  }
}
