import { testToolSkipReason } from '../../../../tools/test-tools.mjs';

/**
 * A command-line tool a test drives (tools/test-tools.mjs lists them all): undefined when it is here,
 * else the skip reason, naming the tool and how to get it. Tests never install anything: `npm test`
 * installs the Debian-packaged ones in its set-up step (tools/ensure-test-tools.mjs).
 */
export function requireTool(command: string): string | undefined {
  return testToolSkipReason(command);
}
