import {
  LAUNCH_PARAMS,
  isLaunchView,
  isPhotoProblemCode,
  isShareId,
  type LaunchView,
  type PhotoProblem,
} from '../../shared/shared-photos.js';

/** What the address the app was opened at asks for (the manifest's shortcuts, the share target's redirect). */
export interface LaunchAddress {
  view: LaunchView | null;
  /** The id of a share waiting in the shared-photos cache. */
  sharedId: string | null;
  /** A share the service worker could not keep, or an id that is not one. */
  problems: PhotoProblem[];
}

/** The view to open first: `?view=visit` (New visit) or `?view=history` (History), else null. */
export function initialView(location: Pick<Location, 'search'>): LaunchView | null {
  const view = new URLSearchParams(location.search).get(LAUNCH_PARAMS.view);
  return isLaunchView(view) ? view : null;
}

export function readLaunchAddress(location: Pick<Location, 'search'>): LaunchAddress {
  const params = new URLSearchParams(location.search);
  const shared = params.get(LAUNCH_PARAMS.shared);
  const problems: PhotoProblem[] = params
    .getAll(LAUNCH_PARAMS.shareError)
    .map((code) => ({ code: isPhotoProblemCode(code) ? code : 'unreadable' }));
  if (shared !== null && !isShareId(shared)) problems.push({ code: 'gone' });
  return {
    view: initialView(location),
    sharedId: shared !== null && isShareId(shared) ? shared : null,
    problems,
  };
}

/** The address without the launch parameters (others, such as ?backend=, stay), or null when it has none. */
export function addressWithoutLaunchParams(href: string): string | null {
  const url = new URL(href);
  const names = Object.values(LAUNCH_PARAMS);
  if (!names.some((name) => url.searchParams.has(name))) return null;
  for (const name of names) url.searchParams.delete(name);
  return url.href;
}
