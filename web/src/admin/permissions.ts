import type { PermissionInfo } from './types';

/** How the Create App checklist groups Workplace's permission codes. */
export const PERMISSION_GROUPS: { title: string; codes: string[] }[] = [
  { title: 'Groups and content', codes: ['read_group', 'write_group', 'manage_group', 'read_group_membership'] },
  { title: 'Bots and Work Chat', codes: ['bot_mention', 'message', 'group_chat', 'read_all_messages'] },
  { title: 'People and accounts', codes: ['manage_accounts', 'provision_user_accounts', 'manage_work_profile', 'read_user_email', 'read_user_work_profile', 'read_org_chart', 'manage_badges'] },
  { title: 'Timelines', codes: ['read_user_feed', 'write_user_feed'] },
  { title: 'Knowledge Library', codes: ['read_work_knowledge', 'manage_work_knowledge'] },
  { title: 'Security and other', codes: ['read_security_logs', 'report_content', 'link_unfurling'] },
];

export function groupPermissions(catalogue: PermissionInfo[]): { title: string; items: PermissionInfo[] }[] {
  const byCode = new Map(catalogue.map((p) => [p.code, p]));
  const placed = new Set<string>();
  const groups = PERMISSION_GROUPS.map((g) => ({
    title: g.title,
    items: g.codes.flatMap((c) => {
      const p = byCode.get(c);
      if (!p) return [];
      placed.add(c);
      return [p];
    }),
  }));
  const rest = catalogue.filter((p) => !placed.has(p.code));
  if (rest.length) groups.push({ title: 'Other', items: rest });
  return groups.filter((g) => g.items.length);
}
