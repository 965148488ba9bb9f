import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A modal form in the browser's own <dialog>: focus moves in and back, Escape
 * closes it, and the rest of the page is inert while it is open.
 */
export function ActionDialog(props: DialogProps) {
  // Not in the page until asked for: a list row carries a button, not a form
  // (a virtualised list renders dozens of rows per scrolled screen).
  return props.open ? <OpenDialog {...props} /> : null;
}

interface DialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  /** Resolves with an error message to show, or null when done. */
  onSubmit: (form: FormData) => Promise<string | null>;
  submitLabel: string;
  children: ComponentChildren;
}

function OpenDialog({ title, onClose, onSubmit, submitLabel, children }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Mounted only while open (see ActionDialog): modal from its first frame.
  useEffect(() => dialog.current?.showModal(), []);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    const problem = await onSubmit(new FormData(event.currentTarget as HTMLFormElement));
    setBusy(false);
    setError(problem);
    if (problem === null) onClose();
  };
  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby="dialog-title">
      <form onSubmit={submit}>
        <h2 id="dialog-title">{title}</h2>
        {children}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving …' : submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
