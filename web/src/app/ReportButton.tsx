import { useState } from 'react';
import { post } from '../shared/api';
import { Dialog, ErrorNote, Field, toast } from '../shared/ui';

/** "Report" on a post or comment: asks for a reason, then sends it to the community's admins. */
export function ReportButton({ id, what }: { id: string; what: 'post' | 'comment' }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const send = async () => {
    setError(undefined);
    try {
      await post('/api/reports', { id, reason });
      setOpen(false);
      setReason('');
      toast(`Thanks — the admins will review this ${what}`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <button type="button" className="link" onClick={() => setOpen(true)}>
        Report
      </button>
      <Dialog open={open} title={`Report this ${what}`} onClose={() => setOpen(false)}>
        <p className="muted">Admins see your report and decide whether the {what} stays. The author is not told who reported it.</p>
        <Field label="What is wrong with it?">{(fieldId) => <textarea id={fieldId} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} />}</Field>
        <ErrorNote error={error} />
        <div className="actions">
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={send}>
            Send report
          </button>
        </div>
      </Dialog>
    </>
  );
}
