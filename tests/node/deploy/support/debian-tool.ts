import { spawnSync } from 'node:child_process';

const hasCommand = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

function aptGet(args: readonly string[]): boolean {
  const run = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=120', ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: 'ignore',
  });
  return run.status === 0;
}

/**
 * Makes a Debian-packaged tool available: present already, or installed now with apt-get when
 * running as root (CI and this machine are). Returns undefined when usable, else a skip reason
 * that names the install command.
 */
export function ensureDebianTool(command: string, pkg = command): string | undefined {
  if (hasCommand(command)) return undefined;
  if (process.getuid?.() === 0 && hasCommand('apt-get')) {
    const install = ['install', '-y', '-q', '--no-install-recommends', pkg];
    if (aptGet(install) || (aptGet(['update', '-q']) && aptGet(install))) {
      if (hasCommand(command)) return undefined;
    }
  }
  return `${command} not found: apt-get install ${pkg}`;
}

/** For tools not worth installing on demand (large, or neither on npm nor in Debian). */
export function requireCommand(command: string, howToInstall: string): string | undefined {
  return hasCommand(command) ? undefined : `${command} not found: ${howToInstall}`;
}
