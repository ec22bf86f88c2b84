import { useId, useRef, useState } from 'react';
import { copyText, toast } from '../shared/ui';

/**
 * The access token, shown once: a copy button and an "I understand" confirmation before the
 * admin can leave. Nothing keeps the token after this screen closes.
 */
export function TokenOnce({ token, appName, onDone }: { token: string; appName: string; onDone: () => void }) {
  const [understood, setUnderstood] = useState(false);
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const warningId = useId();
  const copy = async () => {
    const ok = await copyText(token, field.current);
    setCopied(ok);
    toast(ok ? 'Access token copied to the clipboard' : 'Copy failed: select the token and copy it yourself');
  };
  return (
    <section className="panel stack" aria-labelledby={`${warningId}-title`}>
      <h2 id={`${warningId}-title`}>Access token for {appName}</h2>
      <p id={warningId}>
        <strong>Copy this token now and store it safely.</strong> It is shown only this once: Commonplace keeps only a hash of it. If it is lost, rotate the token to get a new one.
      </p>
      <div className="row">
        <input ref={field} className="secret" type="text" readOnly value={token} aria-label="Access token" aria-describedby={warningId} onFocus={(e) => e.currentTarget.select()} style={{ flex: 1, minWidth: 0 }} />
        <button type="button" className="primary" onClick={copy}>
          {copied ? 'Copied' : 'Copy token'}
        </button>
      </div>
      <label className="check">
        <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />
        <span>I understand that this token will not be shown again.</span>
      </label>
      <div className="actions">
        <button type="button" className="primary" disabled={!understood} onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
