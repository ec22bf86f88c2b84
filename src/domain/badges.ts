import type { Context } from '../context.js';
import { badgesOfMembers, type CustomBadgeRow, listCustomBadges } from '../db/repositories/badge.js';
import type { MemberRow } from '../db/repositories/member.js';

/** A badge as the catalogue lists it: a built-in one or a custom one (`workplace_custom#{id}`). */
export interface Badge {
  /** The value `POST /{member}/badges` takes as `badge=`. */
  id: string;
  name: string;
  description: string;
  icon: string;
  category: string;
  custom: boolean;
}

// The built-in catalogue. Workplace's documentation names the `badge=` parameter and custom ids
// (`workplace_custom#{id}`) but not its full built-in list; these keys follow its naming.
export const builtInBadges: readonly Badge[] = [
  { id: 'workplace_champion', name: 'Workplace Champion', description: 'Helps colleagues get the most out of the community.', icon: 'trophy', category: 'COMMUNITY', custom: false },
  { id: 'workplace_new_joiner', name: 'New Joiner', description: 'Recently joined the company.', icon: 'wave', category: 'COMMUNITY', custom: false },
  { id: 'workplace_mentor', name: 'Mentor', description: 'Mentors other members.', icon: 'graduation', category: 'RECOGNITION', custom: false },
  { id: 'workplace_top_contributor', name: 'Top Contributor', description: 'Among the most helpful posters this quarter.', icon: 'star', category: 'RECOGNITION', custom: false },
  { id: 'workplace_safety_hero', name: 'Safety Hero', description: 'Keeps colleagues safe at work.', icon: 'shield', category: 'RECOGNITION', custom: false },
  { id: 'workplace_years_of_service', name: 'Years of Service', description: 'Celebrates a work anniversary.', icon: 'cake', category: 'MILESTONE', custom: false },
];

export const CUSTOM_PREFIX = 'workplace_custom#';

/** Icons and categories a custom badge may use. */
export const BADGE_ICONS = ['trophy', 'wave', 'graduation', 'star', 'shield', 'cake', 'heart', 'rocket', 'lightbulb', 'handshake'] as const;
export const BADGE_CATEGORIES = ['COMMUNITY', 'RECOGNITION', 'MILESTONE', 'CUSTOM'] as const;

export function customBadge(row: CustomBadgeRow): Badge {
  return { id: `${CUSTOM_PREFIX}${row.id}`, name: row.name, description: row.description, icon: row.icon, category: row.category, custom: true };
}

/** The custom badge id inside a `workplace_custom#{id}` key, or undefined for any other key. */
export function customBadgeId(key: string): string | undefined {
  if (!key.toLowerCase().startsWith(CUSTOM_PREFIX)) return undefined;
  const id = key.slice(CUSTOM_PREFIX.length);
  return /^\d{1,20}$/.test(id) ? id : undefined;
}

/** A badge, and when it was awarded when seen on a profile. */
export type BadgeView = Badge & { awarded_time?: number };

/** The whole catalogue: built-in badges, then custom ones oldest first. */
export async function badgeCatalogue(ctx: Pick<Context, 'db'>): Promise<Badge[]> {
  return [...builtInBadges, ...(await listCustomBadges(ctx.db)).map(customBadge)];
}

/** Badges on each member's profile, oldest award first (retired custom badges are gone). */
export async function badgesOf(ctx: Pick<Context, 'db'>, members: readonly Pick<MemberRow, 'id'>[]): Promise<BadgeView[][]> {
  const awards = await badgesOfMembers(ctx.db, members.map((m) => m.id));
  const catalogue = new Map((await badgeCatalogue(ctx)).map((b) => [b.id, b]));
  return members.map((m) =>
    (awards.get(m.id) ?? []).flatMap((a) => {
      const badge = catalogue.get(a.badge);
      return badge ? [{ ...badge, awarded_time: a.awarded_time }] : [];
    }),
  );
}
