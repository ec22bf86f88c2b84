export interface AdminMe {
  csrf_token: string;
  member: { id: string; name: string; email: string };
}

export interface PermissionInfo {
  code: string;
  name: string;
  confirmed: boolean;
  allows: string;
}

export interface IntegrationView {
  app_id: string;
  page_id: string;
  name: string;
  description: string;
  permissions: string[];
  groups: 'all' | string[];
  enabled: boolean;
  require_appsecret_proof: boolean;
  auto_invite: boolean;
  token_hint: string;
  token_created_time: string;
  created_time: string;
  created_by: string | null;
  last_request_time: string | null;
  requests_7d: { day: string; requests: number }[];
  requests_7d_total: number;
}

export interface Credentials {
  app_id: string;
  page_id: string;
  access_token: string;
  app_secret?: string;
}

export interface GroupView {
  id: string;
  name: string;
  description?: string | null;
  privacy: 'OPEN' | 'CLOSED' | 'SECRET';
  join_setting?: 'NONE' | 'ANYONE' | 'ADMIN_ONLY';
  post_permissions?: 'NONE' | 'ADMIN_ONLY';
  archived: boolean;
  member_count?: number;
}

export interface Person {
  id: string;
  name: string;
  email: string | null;
  title: string | null;
  department: string | null;
  division: string | null;
  organization: string | null;
  employee_number: string | null;
  cost_center: string | null;
  primary_phone: string | null;
  primary_address: string | null;
  locale: string | null;
  manager_id: string | null;
  is_frontline: boolean;
  is_admin: boolean;
  state: 'provisioned' | 'invited' | 'claimed' | 'deactivated';
  invited_time: string | null;
  claimed_time: string | null;
  deactivated_time: string | null;
  created_time: string | null;
  picture_url: string | null;
}

export interface PersonDetail extends Person {
  manager: { id: string; name: string } | null;
  reports: { id: string; name: string; title: string | null }[];
  invite: { claim_link: string; access_code: string; expires_time: string } | null;
}

export interface AuditEvent {
  id: string;
  time: string;
  actor: { type: string; id: string | null; name?: string | null };
  action: string;
  target: { type: string; id: string | null; name?: string | null };
  old_value: unknown;
  new_value: unknown;
}

export interface Subscription {
  id: string;
  object: string;
  fields: string[];
  callback_url: string;
  active: boolean;
  status: 'healthy' | 'degraded' | 'failing';
  status_reason: string | null;
  last_error: string | null;
  last_success_time: string | null;
  verified_time: string | null;
}

export interface Delivery {
  id: string;
  event_id: string;
  object: string;
  field: string;
  state: 'pending' | 'delivered' | 'dead' | 'cancelled';
  attempts: number;
  next_retry_time: string | null;
  last_attempt_time: string | null;
  delivered_time: string | null;
  last_status: number | null;
  last_error: string | null;
  created_time?: string | null;
}
