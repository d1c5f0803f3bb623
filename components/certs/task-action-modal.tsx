'use client';

import { useState, type ReactNode } from 'react';
import { Button, type ButtonSize, type ButtonVariant } from '@/components/ui/button';
import { Form, FormMessage, HiddenFields, SubmitButton } from '@/components/ui/form';
import { Modal, ModalFooter } from '@/components/ui/modal';
import type { FormServerAction } from '@/components/ui/modal-form';
import { useToastedAction } from '@/components/ui/use-toasted-action';
import { LiveTask } from '@/components/tasks/live-task';

export interface TaskActionModalProps {
  /** A server action answering `data: { taskId }` on success. */
  action: FormServerAction;
  title: ReactNode;
  description?: ReactNode;
  trigger: ReactNode;
  triggerLabel?: string;
  triggerVariant?: ButtonVariant;
  triggerSize?: ButtonSize;
  submitLabel: string;
  hidden?: Record<string, string>;
  fieldNames?: string[];
  /** Fields of the form (e.g. a domain select); none for a plain confirmation. */
  children?: ReactNode;
  onFinished?: () => void;
}

/**
 * A button that opens a modal, starts a task through a server action, then stays open showing
 * the task's live log until the admin closes it (closing never stops the task).
 */
export function TaskActionModal({ trigger, triggerLabel, triggerVariant = 'secondary', triggerSize = 'md', title, description, ...rest }: TaskActionModalProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant={triggerVariant} size={triggerSize} onClick={() => setOpen(true)} aria-haspopup="dialog" aria-label={triggerLabel}>
        {trigger}
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={title} description={description} size="lg">
        {open && <Body {...rest} onClose={() => setOpen(false)} />}
      </Modal>
    </>
  );
}

function Body({ action, submitLabel, hidden, fieldNames, children, onFinished, onClose }: Omit<TaskActionModalProps, 'title' | 'description' | 'trigger' | 'triggerLabel' | 'triggerVariant' | 'triggerSize'> & { onClose: () => void }) {
  const [taskId, setTaskId] = useState<string | null>(null);
  const [state, dispatch] = useToastedAction(action, {
    onSuccess: (s) => setTaskId((s.data as { taskId?: string } | undefined)?.taskId ?? null),
  });
  if (taskId) {
    return (
      <div className="space-y-4">
        <LiveTask taskId={taskId} onFinished={() => onFinished?.()} />
        <ModalFooter>
          <Button onClick={onClose} data-autofocus>
            Done
          </Button>
        </ModalFooter>
      </div>
    );
  }
  return (
    <Form action={dispatch} state={state}>
      <HiddenFields values={hidden} />
      <FormMessage fieldNames={fieldNames} />
      {children}
      <ModalFooter>
        <Button onClick={onClose}>Cancel</Button>
        <SubmitButton>{submitLabel}</SubmitButton>
      </ModalFooter>
    </Form>
  );
}
