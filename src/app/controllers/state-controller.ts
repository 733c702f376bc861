import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The element a controller serves: it re-renders on request, and the app's events are dispatched on it. */
export type AppHost = ReactiveControllerHost & EventTarget;

type DetailOf<K extends keyof HTMLElementEventMap> = HTMLElementEventMap[K] extends CustomEvent<infer T> ? T : never;

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A controller whose state is one immutable snapshot, replaced on every change: views take it as a
 * property (a new object is a change Lit sees) and tests read it without rendering anything.
 * Subclasses call `host.addController(this)` last in their constructors, once their own fields exist
 * (a host that is already connected calls hostConnected at once).
 */
export abstract class StateController<S extends object> implements ReactiveController {
  private current: S;

  protected constructor(
    protected readonly host: AppHost,
    initial: S,
  ) {
    this.current = initial;
  }

  hostConnected(): void {}

  hostDisconnected(): void {}

  get state(): S {
    return this.current;
  }

  protected set(patch: Partial<S>): void {
    this.current = { ...this.current, ...patch };
    this.host.requestUpdate();
  }

  /** The app's events leave the host element: they bubble and cross shadow roots. */
  protected emit<K extends keyof HTMLElementEventMap>(type: K, detail: DetailOf<K>): void {
    this.host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}
