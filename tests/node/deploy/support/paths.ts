import { fileURLToPath } from 'node:url';

const fromRepo = (path: string): string => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

export const REPO = fromRepo('');
export const DEPLOY_CLI = fromRepo('deploy/fundus-deploy');
export const PACK_RELEASE = fromRepo('deploy/pack-release');
export const SETUP_SCRIPT = fromRepo('deploy/instance/setup.sh');
export const INSTANCE_KIT = fromRepo('deploy/instance');
export const STACK_TEMPLATE = fromRepo('deploy/aws/stack.yaml');
export const SERVER_MAIN = fromRepo('src/server/main.ts');
export const FAKE_SYSTEMCTL = fileURLToPath(new URL('./fake-systemctl', import.meta.url));
