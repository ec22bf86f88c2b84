import type { FeedRow } from '../db/repositories/feed.js';
import type { MembershipRuleRow } from '../db/repositories/membershipRule.js';
import type { MemberRow } from '../db/repositories/member.js';
import type { RulePlan } from '../domain/commands/membershipRule.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A feed subscription with its health: active, failing (with the error) or paused (with why). */
export function presentFeed(feed: FeedRow) {
  return {
    id: feed.id,
    group_id: feed.group_id,
    url: feed.url,
    title: feed.title,
    page_id: feed.page_id,
    interval_minutes: Math.round(feed.interval_ms / 60_000),
    status: feed.paused_reason ? 'paused' : feed.consecutive_failures > 0 ? 'failing' : 'active',
    paused_reason: feed.paused_reason,
    last_error: feed.last_error,
    consecutive_failures: feed.consecutive_failures,
    last_poll_time: iso(feed.last_poll_time),
    last_success_time: iso(feed.last_success_time),
    next_poll_time: feed.paused_reason ? null : iso(feed.next_poll_time),
    last_item: feed.last_item_title === null ? null : { title: feed.last_item_title, time: iso(feed.last_item_time) },
    item_count: feed.item_count,
    created_time: iso(feed.created_time),
  };
}

export function presentRule(rule: MembershipRuleRow) {
  return {
    group_id: rule.group_id,
    expression: rule.expression,
    keep_manual: rule.keep_manual === 1,
    enabled: rule.enabled === 1,
    last_evaluated_time: iso(rule.last_evaluated_time),
    updated_time: iso(rule.updated_time),
  };
}

const person = (m: MemberRow) => ({ id: m.id, name: m.name, email: m.email, department: m.department, title: m.title });

/** A preview: who would join and leave, and whether the guard would refuse. */
export function presentPlan(plan: RulePlan, guard: { refused: boolean; limit: number | null }) {
  return { joins: plan.joins.map(person), leaves: plan.leaves.map(person), matching: plan.matching, group_size: plan.groupSize, guard };
}
