// Workplace's permission codes (reference §2). `confirmed` says whether the code name itself
// appears in Workplace's documentation; the others use the names the issue fixed.
export const permissionCatalogue = [
  { code: 'read_group', name: 'Read group content', confirmed: true, allows: 'Read groups in scope, their feeds, posts, comments, reactions, seen records and attachments; list groups.' },
  { code: 'write_group', name: 'Manage group content', confirmed: true, allows: 'Post, edit its own posts, delete posts and comments, comment, like and upload photos in groups in scope.' },
  { code: 'manage_group', name: 'Manage groups', confirmed: true, allows: 'Create groups (only when scoped to all groups), update and archive groups in scope, add and remove their members, admins and moderators; read groups and members.' },
  { code: 'read_group_membership', name: 'Read group membership', confirmed: false, allows: "List members, admins and moderators of groups in scope, a member's groups, and /community/organization_members." },
  { code: 'read_user_feed', name: 'Read user timeline', confirmed: false, allows: "Read members' timeline posts (/{member}/feed)." },
  { code: 'write_user_feed', name: 'Manage user timeline', confirmed: true, allows: "Post to members' timelines (POST /{member}/feed)." },
  { code: 'bot_mention', name: 'Mention bot', confirmed: true, allows: 'Read posts and comments that mention the bot page, like them and reply with comments.' },
  { code: 'manage_accounts', name: 'Manage accounts', confirmed: true, allows: 'The Account Management API (SCIM); Graph account management (create, update, deactivate, delete, log out); read all member fields; list /community/admins and former members.' },
  { code: 'manage_badges', name: 'Manage badges', confirmed: true, allows: "List the badge catalogue (/community/badges), list, award and revoke members' badges (/{member}/badges)." },
  { code: 'read_user_email', name: 'Read user email addresses', confirmed: true, allows: 'Read the email field of members and address members by email.' },
  { code: 'read_user_work_profile', name: 'Read work profile', confirmed: true, allows: 'Read work-profile fields: title, department, division, organization, employee number, cost center, phone, address, locale, account times.' },
  { code: 'report_content', name: 'Report content', confirmed: true, allows: 'Report posts and comments in groups in scope (POST /community/reported_content), list and read reports (GET /community/reported_content, /{report-id}), resolve them (keep, remove, warn) and receive the group/reported_content webhook.' },
  { code: 'read_org_chart', name: 'Read org chart', confirmed: false, allows: "Read managers and reports (/{member}/managers, /{member}/reports, the managers field)." },
  { code: 'manage_work_profile', name: 'Manage work profiles', confirmed: false, allows: 'Edit member profile fields through the Graph API; list all members (/community/members).' },
  { code: 'provision_user_accounts', name: 'Provision user accounts', confirmed: false, allows: 'Create, deactivate and delete accounts through the Graph API (/community/accounts).' },
  { code: 'message', name: 'Message any member', confirmed: false, allows: 'Send Work Chat messages as the bot and receive the page messaging webhooks.' },
  { code: 'group_chat', name: 'Bot group chat', confirmed: false, allows: 'Create and manage group chat threads as the bot.' },
  { code: 'read_all_messages', name: 'Read all messages', confirmed: false, allows: "Read members' conversations and messages (compliance)." },
  { code: 'read_security_logs', name: 'Read security logs', confirmed: false, allows: 'Receive and read security and audit events.' },
  { code: 'read_work_knowledge', name: 'Read Knowledge Library content', confirmed: true, allows: 'Read Knowledge Library categories, subcategories and quick links whose audience admits the integration (all of them when it is scoped to all groups).' },
  { code: 'manage_work_knowledge', name: 'Manage Knowledge Library content', confirmed: false, allows: 'Create, update and delete Knowledge Library categories and quick links; read drafts.' },
  { code: 'link_unfurling', name: 'Link unfurling', confirmed: false, allows: 'Be asked for authenticated link previews of the domains an admin registered for it (`link`/`preview` webhook, see docs/webhooks.md).' },
] as const;

export type Permission = (typeof permissionCatalogue)[number]['code'];

const codes = new Set<string>(permissionCatalogue.map((p) => p.code));

export function isPermission(value: string): value is Permission {
  return codes.has(value);
}
