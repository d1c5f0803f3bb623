'use client';

import { Button } from '@/components/ui/button';
import { ModalFooter } from '@/components/ui/modal';
import { ModalForm, type ModalFormProps } from '@/components/ui/modal-form';
import { LiveTask } from '@/components/tasks/live-task';

export interface TaskActionModalProps extends Omit<ModalFormProps, 'size' | 'then' | 'submitLabel'> {
  /** `action` answers `data: { taskId }` on success. */
  submitLabel: string;
  onFinished?: () => void;
}

/**
 * A button that opens a modal, starts a task through a server action, then stays open showing
 * the task's live log until the admin closes it (closing never stops the task).
 */
export function TaskActionModal({ onFinished, ...form }: TaskActionModalProps) {
  return (
    <ModalForm
      {...form}
      size="lg"
      then={(state, close) => {
        const taskId = (state.data as { taskId?: string } | undefined)?.taskId;
        return (
          taskId && (
            <div className="space-y-4">
              <LiveTask taskId={taskId} onFinished={() => onFinished?.()} />
              <ModalFooter>
                <Button onClick={close} data-autofocus>
                  Done
                </Button>
              </ModalFooter>
            </div>
          )
        );
      }}
    />
  );
}
