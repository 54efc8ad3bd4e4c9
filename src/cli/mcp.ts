/**
 * `mobo mcp DIR`: the experiments in DIR as Model Context Protocol tools over stdio (see
 * src/serve/mcp.ts). Standard output carries the protocol; messages go to standard error.
 */
import { readFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../serve/mcp.js';
import { ExperimentService } from '../serve/service.js';
import type { CommandIo } from './hv.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // built layouts put package.json elsewhere; the version is only informative
  }
  return '0.0.0';
}

/**
 * Runs the MCP server until its client closes standard input or a SIGINT/SIGTERM arrives; then
 * closes the experiments (releasing their locks). Resolves to the exit code.
 */
export async function mcpCommand(dir: string, io: CommandIo): Promise<number> {
  const service = new ExperimentService(dir, {
    logger: { warn: (m) => io.stderr(`mobo mcp: warning: ${m}\n`) },
  });
  const server = createMcpServer(service, packageVersion());
  const transport = new StdioServerTransport();
  const ended = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.stdin.once('close', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  try {
    await server.connect(transport);
  } catch (e) {
    io.stderr(`mobo mcp: ${(e as Error).message}\n`);
    await service.close();
    return 1;
  }
  io.stderr(`mobo mcp: serving the experiments in ${service.dir} over stdio\n`);
  await ended;
  await server.close();
  await service.close();
  process.stdin.destroy();
  return 0;
}
