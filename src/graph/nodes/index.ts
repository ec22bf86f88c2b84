import { Registry, type NodeDefinition } from '../registry.js';
import { automationRoutes } from '../routes/automation.js';
import { chatRoutes } from '../routes/chat.js';
import { webhookRoutes } from '../routes/webhooks.js';
import { appNode } from './app/node.js';
import { commentNode } from './comment/node.js';
import { communityNode } from './community/node.js';
import { debugTokenNode } from './debug_token/node.js';
import { groupNode } from './group/node.js';
import { memberNode } from './member/node.js';
import { messageNode } from './message/node.js';
import { messageAttachmentType, messageShareType } from './message/type.js';
import { pageNode } from './page/node.js';
import { photoNode } from './photo/node.js';
import { postNode } from './post/node.js';
import { attachmentType } from './post/type.js';
import { messageProfileType, profileType } from './profile/type.js';
import { reactorType } from './reactor/type.js';
import { threadNode } from './thread/node.js';
import { badgeType } from './badge/type.js';
import { exportJobNode } from './export_job/node.js';
import { reportedContentNode } from './reported_content/node.js';
import { skillNode } from './skill/node.js';
import { knowledgeCategoryNode } from './knowledge_category/node.js';
import { knowledgeAudienceType } from './knowledge_category/type.js';
import { knowledgeQuickLinkNode } from './knowledge_quick_link/node.js';
import { eventNode } from './event/node.js';
import { eventGuestType } from './event/type.js';
import { questionNode } from './question/node.js';
import { questionOptionNode } from './question_option/node.js';
import { groupFileNode } from './group_file/node.js';
import { groupFileRevisionsNode } from './group_file_revisions/node.js';
import { albumNode } from './album/node.js';
import { docNode } from './doc/node.js';
import { videoNode } from './video/node.js';
import { docRevisionType } from './doc/type.js';

// The Graph surface's one index. Adding a node type is one folder under nodes/ and one line in
// `nodes` (DESIGN.md §2, docs/registry.md). Ids in a form of their own are recognised in the
// order listed; numeric ids are looked up in the object index and loaded by their type.
const nodes = [
  pageNode, // me
  appNode, // app
  communityNode, // community, company
  debugTokenNode, // debug_token
  groupFileRevisionsNode, // group_file_revisions
  memberNode, // an email
  threadNode, // t_…
  messageNode, // m_…
  postNode, // {feed}_{post}
  groupNode,
  commentNode,
  photoNode,
  skillNode,
  exportJobNode,
  reportedContentNode,
  knowledgeCategoryNode,
  knowledgeQuickLinkNode,
  eventNode,
  questionNode,
  questionOptionNode,
  groupFileNode,
  albumNode,
  docNode,
  videoNode,
] as const;

/** Types that only appear nested in other nodes' answers. */
const embedded = [
  { key: 'profile', type: profileType },
  { key: 'reactor', type: reactorType },
  { key: 'story_attachment', type: attachmentType },
  { key: 'message_attachment', type: messageAttachmentType },
  { key: 'message_share', type: messageShareType },
  { key: 'message_profile', type: messageProfileType },
  { key: 'badge', type: badgeType },
  { key: 'knowledge_audience', type: knowledgeAudienceType },
  { key: 'event_guest', type: eventGuestType },
  { key: 'doc_revision', type: docRevisionType },
];

/** Route files whose routes span node types (Work Chat's Send API, webhooks); one line each. */
const routeFiles = [chatRoutes, webhookRoutes, automationRoutes];

export const registry = new Registry(nodes, embedded, routeFiles);

type NodeOf<D> = D extends NodeDefinition<infer N, any> ? N : never;

/** A node a Graph path addresses, loaded: one case per node type in the index. */
export type ResolvedNode = NodeOf<(typeof nodes)[number]>;
export type NodeKey = ResolvedNode['type'];
