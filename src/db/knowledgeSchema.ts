// Row types of the Knowledge Library tables (migration 0013). Same conventions as schema.ts:
// epoch-millisecond times, JSON columns as text.

export type KnowledgeStatus = 'PUBLISHED' | 'DRAFT';

/** A Knowledge Library category: a page of content in a tree (root categories have no parent). */
export interface KnowledgeCategoryTable {
  id: string;
  parent_id: string | null;
  /** Position among its siblings, from 0. */
  order_index: number;
  title: string;
  /** The page as text (Markdown subset of src/markdown.ts). */
  content: string;
  /** The page as Workplace's block tree (JSON text), normalized; null when only `content` was given. */
  json_content: string | null;
  status: KnowledgeStatus;
  color: string | null;
  icon: string | null;
  /** EVERYONE, INHERIT, GROUPS, STATIC_USERS or PROFILE_FIELDS. */
  audience_type: string;
  /** JSON arrays: group ids, member ids, and profile conditions `{field, operator, values}`. */
  audience_groups: string;
  audience_users: string;
  audience_conditions: string;
  /** Lower-case title and text of the page, for search. */
  search_text: string;
  last_editor_type: 'member' | 'admin' | 'integration' | 'system';
  last_editor_id: string | null;
  created_time: number;
  last_updated: number;
}

/** A link on the Knowledge Library's front page to a tool or resource. */
export interface KnowledgeQuickLinkTable {
  id: string;
  title: string;
  link: string;
  order_index: number;
  created_time: number;
  updated_time: number;
}

/** A member who may edit the Knowledge Library without being a system admin. */
export interface KnowledgeEditorTable {
  member_id: string;
  granted_time: number;
}

/** A photo added to a category (migration 0014); the photo itself is a media row. */
export interface KnowledgeMediaTable {
  category_id: string;
  media_id: string;
  /** Order of addition within the category, from 0. */
  position: number;
  created_time: number;
}

export interface KnowledgeTables {
  knowledge_media: KnowledgeMediaTable;
  knowledge_category: KnowledgeCategoryTable;
  knowledge_quick_link: KnowledgeQuickLinkTable;
  knowledge_editor: KnowledgeEditorTable;
}
