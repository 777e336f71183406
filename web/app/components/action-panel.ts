/**
 * What a panel whose actions run asynchronously, some behind a confirmation dialog, keeps (the
 * backup, keeper and wipe panels, the share-address and contact-details views): the backend, a status
 * line (`said`), an error, `busy` while an action runs and `confirming` while its dialog is open.
 * Declared once here as Lit reactive properties; a subclass's own `properties` add to them (Lit
 * inherits a superclass's).
 */
import { LitElement, css, type PropertyDeclarations } from 'lit';
import type { AppBackend } from '../backend';

export class ActionPanel extends LitElement {
  static override properties: PropertyDeclarations = {
    backend: { attribute: false },
    said: { state: true },
    error: { state: true },
    busy: { state: true },
    confirming: { state: true },
  };
  declare backend: AppBackend | undefined;
  /** A short confirmation for the live status line ("Link copied."). */
  declare said: string;
  declare error: string;
  declare busy: boolean;
  declare confirming: boolean;

  constructor() {
    super();
    this.backend = undefined;
    this.said = '';
    this.error = '';
    this.busy = false;
    this.confirming = false;
  }
}

/** The body of a confirmation dialog (app-dialog's slot). */
export const dialogBody = css`
  .dialog-body {
    display: grid;
    gap: 0.8rem;
  }
`;
