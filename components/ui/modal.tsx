'use client';

import { useEffect, useId, useRef, useState, useSyncExternalStore, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { Icon } from './icons';
import { cx } from './cx';

export interface ModalProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  size?: 'sm' | 'md' | 'lg';
}

const widths = { sm: 'max-w-md', md: 'max-w-lg', lg: 'max-w-2xl' };

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * showModal() makes the page inert, but Tab from the last control still leaves for the browser's
 * own toolbar; cycling inside keeps keyboard users in the dialog until they close it.
 */
function trapTab(e: KeyboardEvent<HTMLDialogElement>) {
  if (e.key !== 'Tab') return;
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
  if (items.length === 0) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}


const noop = () => () => {};

/** Whether anything in the dialog's forms differs from what it opened with (typed, ticked, chosen). */
function hasEdits(dialog: HTMLDialogElement): boolean {
  for (const form of dialog.querySelectorAll('form')) {
    for (const el of form.elements) {
      if (el instanceof HTMLInputElement) {
        if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
        if (el.type === 'checkbox' || el.type === 'radio' ? el.checked !== el.defaultChecked : el.value !== el.defaultValue) return true;
      } else if (el instanceof HTMLTextAreaElement) {
        if (el.value !== el.defaultValue) return true;
      } else if (el instanceof HTMLSelectElement) {
        const options = [...el.options];
        const initial = options.some((o) => o.defaultSelected) ? options.map((o) => o.defaultSelected) : options.map((_, i) => i === 0 && !el.multiple);
        if (options.some((o, i) => o.selected !== initial[i])) return true;
      }
    }
  }
  return false;
}

/**
 * A modal on the native <dialog> with showModal(): the page behind is inert (focus stays inside),
 * Escape closes it (asking first when a form in it was edited), and focus goes back to what opened it. The first field — or the element
 * marked data-autofocus — gets focus on open. The dialog is portalled to <body>, so it inherits
 * nothing from where its button sits (a table cell's alignment, an enclosing form).
 */
export function Modal(props: ModalProps) {
  const mounted = useSyncExternalStore(noop, () => true, () => false);
  return mounted ? createPortal(<ModalDialog {...props} />, document.body) : null;
}

function ModalDialog({ open, onClose, title, description, children, size = 'md' }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const pressedOnBackdrop = useRef(false);
  const titleId = useId();
  const descId = useId();
  const [asking, setAsking] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  /** Something was typed, ticked or chosen since it opened (a failed submit's echoed values too). */
  const edited = useRef(false);

  /** Escape, the close button and a backdrop click: a half-filled form asks before it is thrown away. */
  const requestClose = () => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!asking && (edited.current || hasEdits(dialog)) && dialog.querySelector('form')) {
      setAsking(true);
      return;
    }
    setAsking(false);
    dialog.close();
  };
  useEffect(() => {
    if (asking) keepRef.current?.focus();
  }, [asking]);

  // Unmounted while open (its row vanished after the action): put focus somewhere sensible.
  useEffect(() => {
    const dialog = ref.current;
    return () => {
      if (dialog?.open) document.getElementById('main')?.focus();
    };
  }, []);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      edited.current = false;
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      const first = dialog.querySelector<HTMLElement>('[data-autofocus], input:not([type=hidden]):not([disabled]), select, textarea');
      first?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  const handleClose = () => {
    setAsking(false);
    onClose();
    const back = opener.current;
    opener.current = null;
    if (back?.isConnected) back.focus();
    // The opener may vanish once the page refreshes after the action (a deleted row, a revoked
    // token's button): then land on the main region rather than leave focus on <body>.
    const rescue = () => {
      if (!document.activeElement || document.activeElement === document.body) document.getElementById('main')?.focus();
    };
    rescue();
    setTimeout(rescue, 300);
    setTimeout(rescue, 1500);
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onClose={handleClose}
      onInput={() => void (edited.current = true)}
      onChange={() => void (edited.current = true)}
      onCancel={(e) => {
        e.preventDefault();
        requestClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          requestClose();
          return;
        }
        trapTab(e);
      }}
      // A click that starts and ends on the backdrop (the dialog box itself, outside the panel) closes.
      onMouseDown={(e) => (pressedOnBackdrop.current = e.target === e.currentTarget)}
      onClick={(e) => {
        if (pressedOnBackdrop.current && e.target === e.currentTarget) requestClose();
      }}
      className={cx(
        'm-auto w-[calc(100%-2rem)] text-left whitespace-normal rounded-xl bg-white p-0 text-zinc-900 shadow-2xl ring-1 ring-zinc-200',
        'dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-800',
        widths[size],
      )}
    >
      <div className="p-5 sm:p-6">
        <div className="mb-4 flex items-start justify-between gap-4">
          <div>
            <h2 id={titleId} className="text-lg font-semibold">
              {title}
            </h2>
            {description && (
              <div id={descId} className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
                {description}
              </div>
            )}
          </div>
          <button
            type="button"
            onClick={requestClose}
            className="-m-1 rounded-md p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-white"
            aria-label="Close"
          >
            <Icon name="close" className="size-5" />
          </button>
        </div>
        {open && children}
        {asking && (
          <div role="alertdialog" aria-labelledby={`${titleId}-discard`} className="mt-4 flex flex-col gap-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200 sm:flex-row sm:items-center sm:justify-between dark:bg-amber-950/50 dark:text-amber-100 dark:ring-amber-900">
            <p id={`${titleId}-discard`}>Discard what you typed in this form?</p>
            <div className="flex gap-2">
              <button ref={keepRef} type="button" onClick={() => setAsking(false)} className="rounded-md bg-white px-3 py-1.5 font-medium text-zinc-900 ring-1 ring-zinc-300 hover:bg-zinc-50 dark:bg-zinc-800 dark:text-zinc-100 dark:ring-zinc-700">
                Keep editing
              </button>
              <button type="button" onClick={requestClose} className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800">
                Discard
              </button>
            </div>
          </div>
        )}
      </div>
    </dialog>
  );
}

/** The buttons row at the bottom of a modal. */
export function ModalFooter({ children }: { children: ReactNode }) {
  return <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">{children}</div>;
}
