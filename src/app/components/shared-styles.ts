import { css } from 'lit';

/** Buttons, cards, focus ring and text helpers every view shares (colours come from static/app.css). */
export const sharedStyles = css`
  :host {
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  h2 {
    font-size: 1.125rem;
    margin: 0 0 0.75rem;
    color: var(--fg-heading);
  }
  h2:focus {
    outline: none;
  }
  h2:focus-visible {
    outline: 3px solid var(--fg-focus);
    outline-offset: 2px;
    box-shadow: 0 0 0 7px #fff;
  }
  .card {
    background: var(--fg-surface);
    border: 1px solid var(--fg-border);
    border-radius: 12px;
    padding: 1rem 1.25rem;
  }
  button,
  input,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    min-height: 44px;
    padding: 0.5rem 1rem;
    border-radius: 8px;
    border: 1px solid var(--fg-border-strong);
    background: var(--fg-surface);
    cursor: pointer;
    font-weight: 500;
  }
  button:hover:not(:disabled) {
    background: var(--fg-hover);
  }
  button.primary {
    background: var(--fg-accent);
    border-color: var(--fg-accent);
    color: #fff;
    font-weight: 600;
  }
  button.primary:hover:not(:disabled) {
    background: var(--fg-accent-strong);
  }
  button.danger {
    color: var(--fg-danger);
    border-color: currentColor;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  input[type='text'],
  input[type='search'],
  select {
    min-height: 44px;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--fg-border-strong);
    border-radius: 8px;
    background: var(--fg-surface);
    width: 100%;
  }
  /* Two-tone: a blue ring between white bands, so that it stands out at 3:1 or more on any background
     the app has, light (the blue) or dark, like the header (the white). */
  :focus-visible {
    outline: 3px solid var(--fg-focus);
    outline-offset: 2px;
    box-shadow: 0 0 0 7px #fff;
  }
  .muted {
    color: var(--fg-muted);
  }
  .small {
    font-size: 0.875rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .notice {
    border-radius: 8px;
    padding: 0.75rem 1rem;
    margin: 0;
    border: 1px solid;
  }
  .notice.error {
    color: var(--fg-danger);
    background: var(--fg-danger-bg);
  }
  .notice.warning {
    color: var(--fg-warning);
    background: var(--fg-warning-bg);
  }
  .notice.ok {
    color: var(--fg-ok);
    background: var(--fg-ok-bg);
  }
`;
