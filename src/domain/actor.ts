import type { Permission } from './permissions.js';

/** A custom integration acting through its token: it is its bot page. */
export interface IntegrationActor {
  kind: 'integration';
  appId: string;
  pageId: string;
  name: string;
  permissions: ReadonlySet<Permission>;
  /** True when the integration may touch every group; otherwise only `groupIds`. */
  scopeAll: boolean;
  groupIds: ReadonlySet<string>;
  /** The integration's "auto-invite" setting: every account it creates is invited at once. */
  autoInvite: boolean;
}

/** The app itself, authenticated by `APP_ID|APP_SECRET` (subscription management, debug_token). */
export interface AppActor extends Omit<IntegrationActor, 'kind'> {
  kind: 'app';
}

/** A signed-in person; `admin` is set when they act through the admin panel as a system admin. */
export interface MemberActor {
  kind: 'member';
  memberId: string;
  isAdmin: boolean;
}

/** The operator at the command line, or the server itself (bootstrap, demo seed). */
export interface SystemActor {
  kind: 'system';
}

export type Actor = IntegrationActor | AppActor | MemberActor | SystemActor;

export interface AuditActor {
  actor_type: 'member' | 'admin' | 'integration' | 'system';
  actor_id: string | null;
}

export function auditActor(actor: Actor): AuditActor {
  switch (actor.kind) {
    case 'integration':
    case 'app':
      return { actor_type: 'integration', actor_id: actor.appId };
    case 'member':
      return { actor_type: actor.isAdmin ? 'admin' : 'member', actor_id: actor.memberId };
    case 'system':
      return { actor_type: 'system', actor_id: null };
  }
}

/** The profile (member or bot page) an actor writes content as. */
export function authorOf(actor: Actor): { id: string; type: 'member' | 'page' } {
  switch (actor.kind) {
    case 'integration':
    case 'app':
      return { id: actor.pageId, type: 'page' };
    case 'member':
      return { id: actor.memberId, type: 'member' };
    case 'system':
      throw new Error('the system actor cannot author content');
  }
}
