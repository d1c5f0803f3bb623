'use client';

import type { DriftDto } from '@/lib/proxy/dto';
import { Form, HiddenFields, SubmitButton } from '@/components/ui/form';
import type { FormServerAction } from '@/components/ui/modal-form';
import { Notice } from '@/components/ui/notice';
import { Time } from '@/components/ui/time';
import { useToastedAction } from '@/components/ui/use-toasted-action';
import { DiffView } from './diff-view';

/**
 * "Check the server now": reads the managed files over SSH and shows how they differ from the
 * deployed manifest (hand edits), next to what a deploy would change.
 */
export function DriftPanel({ action, serverId }: { action: FormServerAction; serverId: string }) {
  const [state, dispatch] = useToastedAction(action);
  const report = state.ok ? (state.data as Exclude<DriftDto, { state: 'unreachable' }>) : null;
  return (
    <div className="space-y-4">
      <Form action={dispatch} state={state} className="flex flex-wrap items-center gap-3 space-y-0">
        <HiddenFields values={{ serverId }} />
        <SubmitButton variant="secondary">Check the server now</SubmitButton>
        {report && (
          <span className="text-sm text-zinc-600 dark:text-zinc-400">
            Checked <Time iso={report.checkedAt} format="relative" />
          </span>
        )}
      </Form>
      {!state.ok && state.message && (
        <Notice tone="error" role="alert">
          {state.message}
        </Notice>
      )}
      {report && (
        <div className="space-y-3">
          {report.drifted ? (
            <Notice tone="warning" title="Files on the server were changed by hand">
              The next deploy puts back what Gatehouse rendered. Copy anything you want to keep into the domain&apos;s settings or a template first.
            </Notice>
          ) : (
            <Notice tone="success" role="status">
              The server holds exactly the files of the last deploy.
            </Notice>
          )}
          <DiffView diffs={report.drift} empty="No differences." />
          {report.renderErrors.length > 0 && (
            <Notice tone="error" title="Some domains cannot be rendered">
              <ul className="list-disc pl-4">
                {report.renderErrors.map((e) => (
                  <li key={e.fqdn}>
                    {e.fqdn}: {e.message}
                  </li>
                ))}
              </ul>
            </Notice>
          )}
        </div>
      )}
    </div>
  );
}
