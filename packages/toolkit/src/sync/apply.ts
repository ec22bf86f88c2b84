import { SCIM_URN, ScimApiError, schemasOf, scimPatches, type ScimBulkOperation, type ScimClient } from '@commonplace/sdk';
import { eachLimited } from '../limits.js';
import type { Progress } from '../progress.js';
import type { Plan } from './diff.js';

// Applies a plan: creates, updates and reactivations first, then managers (everyone exists by
// then), then deactivations one bulk chunk at a time, so the server's mass-deactivation guard
// stops the run at its first refusal. Nothing retries around the guard.

export interface ApplyOptions {
  concurrency: number;
  /** Use /Bulk (when the server announces it) with this many operations per request; 0 sends one request per change. */
  bulkSize: number;
  progress: Progress;
}

export interface ApplyResult {
  created: number;
  updated: number;
  reactivated: number;
  deactivated: number;
  managers: number;
  errors: { email: string; action: string; message: string }[];
  /** Set when the mass-deactivation guard refused: the run stopped there. */
  stopped?: { reason: 'deactivation_limit'; message: string; notApplied: number };
}

interface Task {
  email: string;
  action: 'create' | 'update' | 'reactivate' | 'manager' | 'deactivate';
  operation: ScimBulkOperation;
}

export class GuardStop extends Error {}

/** Whether the server takes /Bulk, and how many operations per request. */
export async function bulkLimit(scim: ScimClient, wanted: number): Promise<number> {
  if (wanted <= 0) return 0;
  try {
    const config = await scim.serviceProviderConfig<{ bulk?: { supported?: boolean; maxOperations?: number } }>();
    if (!config.bulk?.supported) return 0;
    return Math.max(1, Math.min(wanted, config.bulk.maxOperations ?? wanted));
  } catch {
    return 0;
  }
}

export async function applyPlan(scim: ScimClient, plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { created: 0, updated: 0, reactivated: 0, deactivated: 0, managers: 0, errors: [] };
  const ids = new Map<string, string>();
  const count = (task: Task) => {
    const key = ({ create: 'created', update: 'updated', reactivate: 'reactivated', manager: 'managers', deactivate: 'deactivated' } as const)[task.action];
    result[key]++;
  };
  const fail = (task: Task, error: unknown) => result.errors.push({ email: task.email, action: task.action, message: error instanceof Error ? error.message : String(error) });

  /** Sends tasks as one bulk request (or one plain request); answers how many the server ran. */
  const send = async (chunk: Task[], failOnErrors?: number): Promise<number> => {
    if (options.bulkSize) {
      const results = await scim.bulk(
        chunk.map((t) => t.operation),
        failOnErrors ? { failOnErrors } : {},
      );
      chunk.forEach((task, i) => {
        const r = results[i];
        if (!r) return;
        if (r.error?.isDeactivationLimit) throw new GuardStop(r.error.detail ?? r.error.message);
        if (r.error) fail(task, r.error);
        else {
          if (task.action === 'create' && r.id) ids.set(task.email, r.id);
          count(task);
        }
      });
      options.progress.increment(results.length);
      return results.length;
    }
    const [task] = chunk as [Task];
    const op = task.operation;
    try {
      const body = op.method === 'POST' ? await scim.request<{ id?: string }>('POST', 'Users', op.data) : await scim.request('PATCH', op.path.replace(/^\//, ''), op.data);
      if (task.action === 'create' && body && typeof body === 'object' && 'id' in body && body.id) ids.set(task.email, String(body.id));
      count(task);
    } catch (error) {
      if (error instanceof ScimApiError && error.isDeactivationLimit) throw new GuardStop(error.detail ?? error.message);
      fail(task, error);
    }
    options.progress.increment();
    return 1;
  };
  const size = options.bulkSize || 1;
  const run = async (tasks: Task[]) => {
    const chunks: Task[][] = [];
    for (let i = 0; i < tasks.length; i += size) chunks.push(tasks.slice(i, i + size));
    await eachLimited(chunks, options.concurrency, async (chunk) => void (await send(chunk)));
  };
  /** Deactivations go one chunk at a time and stop at the first error, so the guard's first refusal ends the run. */
  const runInOrder = async (tasks: Task[]) => {
    for (let i = 0; i < tasks.length; ) i += Math.max(1, await send(tasks.slice(i, i + size), 1));
  };

  const total = plan.create.length + plan.update.length + plan.reactivate.length + plan.manager.length + plan.deactivate.length;
  options.progress.start(total, 'sync');
  try {
    await run(
      [
        ...plan.create.map((c, i): Task => ({ email: c.email, action: 'create', operation: { method: 'POST', path: '/Users', bulkId: `u${i}`, data: { schemas: schemasOf(c.user), ...c.user } } })),
        ...plan.update.map((c): Task => ({ email: c.email, action: 'update', operation: { method: 'PATCH', path: `/Users/${c.id}`, data: scimPatchBody(c.operations) } })),
        ...plan.reactivate.map((c): Task => ({ email: c.email, action: 'reactivate', operation: { method: 'PATCH', path: `/Users/${c.id}`, data: scimPatchBody(c.operations) } })),
      ],
    );
    const managerTasks: Task[] = [];
    for (const m of plan.manager) {
      const id = m.id ?? ids.get(m.email);
      const managerId = m.to === null ? null : (m.managerId ?? ids.get(m.to));
      if (!id || (m.to !== null && !managerId)) {
        result.errors.push({ email: m.email, action: 'manager', message: `not set: ${!id ? m.email : m.to} was not created` });
        options.progress.increment();
        continue;
      }
      managerTasks.push({ email: m.email, action: 'manager', operation: { method: 'PATCH', path: `/Users/${id}`, data: scimPatches.setManager(managerId ?? null) } });
    }
    await run(managerTasks);
    await runInOrder(plan.deactivate.map((c): Task => ({ email: c.email, action: 'deactivate', operation: { method: 'PATCH', path: `/Users/${c.id}`, data: scimPatches.deactivate() } })));
  } catch (error) {
    if (!(error instanceof GuardStop)) throw error;
    result.stopped = { reason: 'deactivation_limit', message: error.message, notApplied: plan.deactivate.length - result.deactivated };
  } finally {
    options.progress.stop();
  }
  return result;
}

function scimPatchBody(operations: Plan['update'][number]['operations']) {
  return { schemas: [SCIM_URN.patchOp], Operations: operations };
}
