import { css } from 'lit';

/** <fg-app>'s own styles: the header with its tabs, the panels' frame, the off-screen warm-up view. */
export const appStyles = css`
  :host {
    display: block;
    min-height: 100vh;
  }
  header {
    background: var(--fg-accent);
    color: #fff;
  }
  .bar {
    max-width: 80rem;
    margin: 0 auto;
    padding: 0.75rem 1.25rem 0;
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: center;
    justify-content: space-between;
  }
  h1 {
    font-size: 1.35rem;
    margin: 0;
    letter-spacing: 0.01em;
  }
  h1 small {
    font-weight: 400;
    opacity: 0.85;
    font-size: 0.875rem;
    margin-left: 0.5rem;
  }
  [role='tablist'] {
    max-width: 80rem;
    margin: 0 auto;
    padding: 0.5rem 1.25rem 0;
    display: flex;
    gap: 0.25rem;
    /* A history count that outgrows a phone's width scrolls the tabs, never the page. */
    overflow-x: auto;
    scrollbar-width: thin;
  }
  [role='tab'] {
    flex: 0 0 auto;
    border: 0;
    border-radius: 10px 10px 0 0;
    background: transparent;
    color: #fff;
    min-width: 6.5rem;
    font-weight: 600;
    white-space: nowrap;
  }
  [role='tab']:hover {
    background: rgb(255 255 255 / 0.12);
  }
  [role='tab'][aria-selected='true'] {
    background: var(--fg-background);
    color: var(--fg-accent);
  }
  /* The ring sits inside the tab (the tab bar's edge would clip it): white on the dark bar, the accent
     colour on the selected tab's light fill; both well over 3:1 against what is around them. */
  [role='tab']:focus-visible {
    outline: 3px solid #fff;
    outline-offset: -5px;
    box-shadow: none;
  }
  [role='tab'][aria-selected='true']:focus-visible {
    outline-color: var(--fg-accent);
  }
  /* Phones: the four tabs share the width, "History (12)" included, down to 360 px. */
  @media (max-width: 520px) {
    [role='tablist'] {
      padding: 0.5rem 0.25rem 0;
      gap: 0.125rem;
    }
    [role='tab'] {
      flex: 1 0 auto;
      min-width: 0;
      padding: 0.5rem 0.45rem;
      font-size: 0.9375rem;
    }
  }
  main {
    max-width: 80rem;
    margin: 0 auto;
    padding: 1.25rem;
  }
  .demo {
    margin-bottom: 1rem;
    font-weight: 600;
  }
  /* Laid out (visibility, not display) but off screen: see result-warm-up.ts. */
  .result-warm-up {
    position: absolute;
    left: -10000px;
    top: 0;
    width: 40rem;
    visibility: hidden;
  }
`;
