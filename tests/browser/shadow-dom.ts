/** Follows a chain of selectors through nested shadow roots: deep(app, 'fg-status-panel', '[data-model-ready]'). */
export function deep<T extends Element = HTMLElement>(root: Element, ...selectors: string[]): T | null {
  let node: Element | null = root;
  for (const selector of selectors) node = node?.shadowRoot?.querySelector(selector) ?? null;
  return node as T | null;
}
