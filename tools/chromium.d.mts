export function chromiumPath(): string;
export function chromiumArgs(options?: { webgpu?: boolean; userDataDir?: boolean }): string[];
