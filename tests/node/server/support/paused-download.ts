import { once } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';

/**
 * Sends `req`, reads the response's first chunk and stops reading: a download in flight that the
 * server must finish across a shutdown. `finish()` reads the rest and returns the whole body.
 */
export async function pauseAfterFirstChunk(
  req: ClientRequest,
): Promise<{ res: IncomingMessage; finish: () => Promise<Buffer> }> {
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  const [first] = (await once(res, 'data')) as [Buffer];
  chunks.push(first);
  res.pause();
  return {
    res,
    finish: async (): Promise<Buffer> => {
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.resume();
      await once(res, 'end');
      return Buffer.concat(chunks);
    },
  };
}
