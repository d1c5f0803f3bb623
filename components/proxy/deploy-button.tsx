'use client';

import Link from 'next/link';
import { useEffect, useState, type ReactNode } from 'react';
import type { TaskDto } from '@/lib/tasks/schemas';
import type { FormState } from '@/lib/http/action';
import { Button, type ButtonSize, type ButtonVariant } from '@/components/ui/button';
import { Form, HiddenFields, SubmitButton } from '@/components/ui/form';
import { Modal, ModalFooter } from '@/components/ui/modal';
import type { FormServerAction } from '@/components/ui/modal-form';
import { useToastedAction } from '@/components/ui/use-toasted-action';
import { fetchJson } from '@/components/tasks/event-stream';
import { TaskLog, type LogLine } from '@/components/tasks/task-log';

/** A task's live log, once its first state has been read (the task page shows the same). */
export function LiveTask({ taskId }: { taskId: string }) {
  const [initial, setInitial] = useState<{ task: TaskDto; lines: LogLine[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([fetchJson<TaskDto>(`/api/v1/tasks/${taskId}`), fetchJson<{ lines: LogLine[] }>(`/api/v1/tasks/${taskId}/logs?limit=5000`)]).then(
      ([task, logs]) => live && setInitial({ task, lines: logs.lines }),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [taskId]);
  if (error) return <p className="text-sm text-red-700 dark:text-red-400">{error}</p>;
  if (!initial) return <p className="text-sm text-zinc-500">Loading the task…</p>;
  return <TaskLog initialTask={initial.task} initialLines={initial.lines} />;
}

/**
 * Starts a deploy (server action answering `{ taskId }`) and shows its log live in a modal, with
 * a link to the task page. Closing the modal does not stop the deploy.
 */
export function DeployButton({
  action,
  hidden,
  children,
  label,
  title,
  variant = 'secondary',
  size = 'sm',
}: {
  action: FormServerAction;
  hidden: Record<string, string>;
  children: ReactNode;
  label?: string;
  title: ReactNode;
  variant?: ButtonVariant;
  size?: ButtonSize;
}) {
  const [taskId, setTaskId] = useState<string | null>(null);
  const [state, dispatch] = useToastedAction(action, {
    toastErrors: true,
    onSuccess: (s: FormState) => setTaskId((s.data as { taskId?: string } | undefined)?.taskId ?? null),
  });
  return (
    <>
      <Form action={dispatch} state={state} className="inline space-y-0">
        <HiddenFields values={hidden} />
        <SubmitButton variant={variant} size={size} aria-label={label}>
          {children}
        </SubmitButton>
      </Form>
      <Modal open={taskId !== null} onClose={() => setTaskId(null)} title={title} description="The log follows the deploy live. Closing this window does not stop it." size="lg">
        {taskId && (
          <>
            <LiveTask taskId={taskId} />
            <ModalFooter>
              <Link href={`/tasks/${taskId}`} className="self-center text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                Open the task page
              </Link>
              <Button onClick={() => setTaskId(null)}>Close</Button>
            </ModalFooter>
          </>
        )}
      </Modal>
    </>
  );
}
