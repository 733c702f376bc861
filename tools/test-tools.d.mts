export interface DebianTestTool {
  command: string;
  pkg: string;
  usedBy: string;
}
export interface OtherTestTool {
  command: string;
  install: string;
  usedBy: string;
}
export const DEBIAN_TEST_TOOLS: DebianTestTool[];
export const OTHER_TEST_TOOLS: OtherTestTool[];
export function hasCommand(command: string): boolean;
export function installHint(command: string): string;
export function testToolSkipReason(command: string): string | undefined;
