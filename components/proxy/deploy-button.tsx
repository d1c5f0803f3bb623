'use client';

import Link from 'next/link';
import { useState, type ReactNode } from 'react';
import type { FormState } from '@/lib/http/action';
import { Button, type ButtonSize, type ButtonVariant } from '@/components/ui/button';
import { Form, HiddenFields, SubmitButton } from '@/components/ui/form';
import { Modal, ModalFooter } from '@/components/ui/modal';
import type { FormServerAction } from '@/components/ui/modal-form';
import { useToastedAction } from '@/components/ui/use-toasted-action';
import { LiveTask } from '@/components/tasks/live-task';

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
