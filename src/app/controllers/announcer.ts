import { StateController, type AppHost } from './state-controller.js';

export type Announce = (text: string) => void;

/** The words for the app's aria-live region, which every controller speaks through. */
export class Announcer extends StateController<{ text: string }> {
  constructor(host: AppHost) {
    super(host, { text: '' });
    host.addController(this);
  }

  readonly announce: Announce = (text) => {
    // Cleared first so that the same words twice are announced twice.
    this.set({ text: '' });
    requestAnimationFrame(() => this.set({ text }));
  };
}
