import type { ReactiveController } from 'lit';
import type { LaunchView } from '../../shared/shared-photos.js';
import { LaunchedPhotos, type LaunchedPhotoBatch } from '../launch/launched-photos.js';
import type { AppHost } from './state-controller.js';

export interface LaunchOptions {
  /** The view the address asked for (`?view=visit`, `?view=history`). */
  showView(view: LaunchView): void;
  /** Photos shared to the app or opened with it, as they come. */
  onPhotos(batch: LaunchedPhotoBatch): void;
}

/**
 * How the app was opened (src/app/launch/): read once, when the host first connects, since the address's
 * launch parameters are removed as soon as they are read; photos that come later (opened as files while
 * the app runs) go on to `onPhotos` while the host is connected.
 */
export class LaunchController implements ReactiveController {
  private launch: LaunchedPhotos | null = null;
  private stop: (() => void) | null = null;

  constructor(
    host: AppHost,
    private readonly options: LaunchOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (!this.launch) {
      this.launch = new LaunchedPhotos(window);
      if (this.launch.view) this.options.showView(this.launch.view);
    }
    this.stop = this.launch.onPhotos((batch) => this.options.onPhotos(batch));
  }

  hostDisconnected(): void {
    this.stop?.();
    this.stop = null;
  }
}
