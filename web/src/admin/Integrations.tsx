import { get } from '../shared/api';
import { Link } from '../shared/router';
import { ErrorNote, Loading, Time, useLoad } from '../shared/ui';
import type { IntegrationView } from './types';

export const pictureOf = (appId: string, bust?: number) => `/admin/api/integrations/${appId}/picture${bust ? `?v=${bust}` : ''}`;

export function scopeLabel(groups: IntegrationView['groups']): string {
  if (groups === 'all') return 'All groups';
  return groups.length === 1 ? '1 group' : `${groups.length} groups`;
}

export function IntegrationsList() {
  const { data, error, loading } = useLoad((signal) => get<{ data: IntegrationView[] }>('/admin/api/integrations', signal), []);
  return (
    <>
      <div className="spread">
        <h1 tabIndex={-1}>Integrations</h1>
        <Link className="button primary" to="/admin/integrations/new">
          Create App
        </Link>
      </div>
      <p className="muted">
        Custom integrations call the Graph API and the Account Management API with their own token. Each one posts and chats as a bot with its name and picture.
      </p>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && data.data.length === 0 && (
        <div className="panel">
          <p>No integrations yet. Create one to get an access token.</p>
        </div>
      )}
      {data && data.data.length > 0 && (
        <div className="panel table-wrap">
          <table>
            <caption className="visually-hidden">Custom integrations</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Icon</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col" className="hide-phone">
                  Permissions
                </th>
                <th scope="col" className="hide-phone">
                  Scope
                </th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-phone">
                  Last request
                </th>
                <th scope="col">7 days</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((app) => (
                <tr key={app.app_id} data-app={app.app_id}>
                  <td>
                    <img className="icon" src={pictureOf(app.app_id)} alt="" width={36} height={36} />
                  </td>
                  <td>
                    <Link to={`/admin/integrations/${app.app_id}`}>{app.name}</Link>
                    {app.description && <div className="muted hide-phone">{app.description}</div>}
                  </td>
                  <td className="hide-phone">
                    <div className="chips">
                      {app.permissions.slice(0, 4).map((p) => (
                        <span className="chip" key={p}>
                          {p}
                        </span>
                      ))}
                      {app.permissions.length > 4 && <span className="chip">+{app.permissions.length - 4}</span>}
                    </div>
                  </td>
                  <td className="hide-phone">{scopeLabel(app.groups)}</td>
                  <td>
                    <span className={`badge ${app.enabled ? 'on' : 'off'}`}>{app.enabled ? 'Enabled' : 'Disabled'}</span>
                  </td>
                  <td className="hide-phone">
                    <Time value={app.last_request_time} />
                  </td>
                  <td>
                    <span title={app.requests_7d.map((d) => `${d.day}: ${d.requests}`).join('\n')}>{app.requests_7d_total.toLocaleString()}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
