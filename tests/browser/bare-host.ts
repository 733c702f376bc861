// A host for the app's controllers (src/app/controllers/) without <fg-app> or any layout, and the small
// helpers their tests share.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** A host with no element: it counts the updates its controllers ask for and connects them on demand. */
export class BareHost extends EventTarget implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updates = 0;
  readonly updateComplete = Promise.resolve(true);
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(controller: ReactiveController): void {
    this.controllers.splice(this.controllers.indexOf(controller), 1);
  }
  requestUpdate(): void {
    this.updates++;
  }
  connect(): void {
    for (const controller of this.controllers) controller.hostConnected?.();
  }
  disconnect(): void {
    for (const controller of this.controllers) controller.hostDisconnected?.();
  }
  /** The details of every event of `type` dispatched on this host from now on. */
  events<T>(type: string): T[] {
    const details: T[] = [];
    this.addEventListener(type, (event) => details.push((event as CustomEvent<T>).detail));
    return details;
  }
}

export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Announcements, in order. */
export function announcements() {
  const said: string[] = [];
  return { said, announce: (text: string) => said.push(text) };
}
