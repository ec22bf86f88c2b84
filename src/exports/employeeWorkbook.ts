import ExcelJS from 'exceljs';
import type { Context } from '../context.js';
import { badgesOfMembers } from '../db/repositories/badge.js';
import { activityOfMembers, countExportMembers, exportMembersPage } from '../db/repositories/exportJob.js';
import { findMembersByIds } from '../db/repositories/member.js';
import { skillNamesOfMembers } from '../db/repositories/skill.js';

const PAGE = 1000;

const iso = (ms: number | null | undefined) => (ms ? new Date(ms) : null);

// The columns of the employee export: the profile fields Workplace exported, account status and
// times, and the activity counts. Workplace's docs name the file's purpose ("current employees
// and their activity data"), not its column list.
const COLUMNS: { header: string; key: string; width: number }[] = [
  { header: 'User ID', key: 'id', width: 20 },
  { header: 'Full name', key: 'name', width: 28 },
  { header: 'First name', key: 'first_name', width: 16 },
  { header: 'Last name', key: 'last_name', width: 16 },
  { header: 'Email', key: 'email', width: 30 },
  { header: 'Employee ID', key: 'employee_number', width: 14 },
  { header: 'External ID', key: 'external_id', width: 16 },
  { header: 'Title', key: 'title', width: 22 },
  { header: 'Department', key: 'department', width: 18 },
  { header: 'Division', key: 'division', width: 18 },
  { header: 'Organization', key: 'organization', width: 18 },
  { header: 'Cost center', key: 'cost_center', width: 12 },
  { header: 'Location', key: 'primary_address', width: 24 },
  { header: 'Phone', key: 'primary_phone', width: 16 },
  { header: 'Locale', key: 'locale', width: 8 },
  { header: 'Manager ID', key: 'manager_id', width: 20 },
  { header: 'Manager', key: 'manager', width: 24 },
  { header: 'Frontline', key: 'frontline', width: 10 },
  { header: 'System admin', key: 'admin', width: 12 },
  { header: 'Account status', key: 'status', width: 14 },
  { header: 'Invited', key: 'invited', width: 20 },
  { header: 'Claimed', key: 'claimed', width: 20 },
  { header: 'Created', key: 'created', width: 20 },
  { header: 'Posts', key: 'posts', width: 8 },
  { header: 'Comments', key: 'comments', width: 10 },
  { header: 'Last post or comment', key: 'last_active', width: 20 },
  { header: 'Skills', key: 'skills', width: 30 },
  { header: 'Badges', key: 'badges', width: 30 },
];

/**
 * Writes the employee export to `file` page by page (memory stays flat however many members),
 * calling `progress` after each page; `progress` returning false stops the export.
 */
export async function writeEmployeeWorkbook(ctx: Context, file: string, progress: (done: number, total: number) => Promise<boolean>): Promise<number> {
  const total = await countExportMembers(ctx.db);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: true });
  workbook.creator = 'Commonplace';
  const sheet = workbook.addWorksheet('Employees', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS;
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let done = 0;
  let after = '';
  for (;;) {
    const members = await exportMembersPage(ctx.db, after, PAGE);
    if (members.length === 0) break;
    const ids = members.map((m) => m.id);
    const managerIds = [...new Set(members.map((m) => m.manager_id).filter((id): id is string => !!id))];
    const [activity, skills, badges, managers] = await Promise.all([activityOfMembers(ctx.db, ids), skillNamesOfMembers(ctx.db, ids), badgesOfMembers(ctx.db, ids), findMembersByIds(ctx.db, managerIds)]);
    const managerNames = new Map(managers.map((m) => [m.id, m.name]));
    for (const m of members) {
      const a = activity.get(m.id);
      sheet
        .addRow({
          ...m,
          manager: m.manager_id ? managerNames.get(m.manager_id) ?? null : null,
          frontline: m.is_frontline === 1,
          admin: m.is_admin === 1,
          status: m.state,
          invited: iso(m.invited_time),
          claimed: iso(m.claimed_time),
          created: iso(m.created_time),
          posts: a?.posts ?? 0,
          comments: a?.comments ?? 0,
          last_active: iso(a?.last),
          skills: (skills.get(m.id) ?? []).join(', '),
          badges: (badges.get(m.id) ?? []).map((b) => b.badge).join(', '),
        })
        .commit();
    }
    done += members.length;
    after = ids[ids.length - 1];
    if (!(await progress(done, Math.max(total, done)))) {
      await workbook.commit();
      throw new ExportInterrupted();
    }
  }
  await workbook.commit();
  return done;
}

/** The runner lost its lease: another process owns the job now. */
export class ExportInterrupted extends Error {
  constructor() {
    super('the export lease passed to another runner');
  }
}
