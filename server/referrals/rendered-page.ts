import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { AstroHandler, AstroLocals } from '../plugins/astro-ssr.ts';

/**
 * Renders a page through Astro's node handler into memory instead of onto the socket, so the route can send
 * it with Fastify like any other reply: compressed (the public site's pages must stay small: /refer is about
 * 50 KB of HTML, about 8 KB with brotli), with its headers and logging, and without hijacking the reply.
 */
export interface RenderedPage {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  /** Set when Astro gave up part-way (it destroys the response); the body is then incomplete. */
  failed: Error | null;
}

/**
 * Just enough of http.ServerResponse for Astro's writeResponse (writeHead, write, end, destroy, events) and
 * the node middleware's own 500 fallback (statusCode, headersSent).
 */
class CapturedResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  readonly req = undefined;
  readonly headers: OutgoingHttpHeaders = {};
  readonly chunks: Buffer[] = [];
  failed: Error | null = null;

  writeHead(status: number, messageOrHeaders?: string | OutgoingHttpHeaders, maybeHeaders?: OutgoingHttpHeaders) {
    this.statusCode = status;
    const headers = typeof messageOrHeaders === 'object' ? messageOrHeaders : maybeHeaders;
    for (const [name, value] of Object.entries(headers ?? {})) this.setHeader(name, value);
    this.headersSent = true;
    return this;
  }

  setHeader(name: string, value: OutgoingHttpHeaders[string]) {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  write(chunk: string | Uint8Array, callback?: () => void): boolean {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    callback?.();
    return true;
  }

  end(chunk?: string | Uint8Array) {
    if (chunk !== undefined) this.write(chunk);
    this.emit('finish');
    this.emit('close');
    return this;
  }

  destroy(error?: Error) {
    this.failed = error ?? new Error('The page stopped part-way through rendering');
    this.emit('close');
    return this;
  }
}

export async function renderPage(
  handler: AstroHandler,
  req: IncomingMessage,
  locals: AstroLocals,
): Promise<RenderedPage> {
  const captured = new CapturedResponse();
  await handler(req, captured as unknown as ServerResponse, undefined, locals);
  return {
    status: captured.statusCode,
    headers: captured.headers,
    body: Buffer.concat(captured.chunks),
    failed: captured.failed,
  };
}

/** Brotli when the browser takes it, else gzip, else none. Quality 5 is quick enough to do on each request. */
export function compressFor(
  acceptEncoding: string | undefined,
  body: Buffer,
): { encoding: 'br' | 'gzip' | null; body: Buffer } {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => q === undefined || !/^q=0(\.0*)?$/.test(q.trim()))
      .map(([name]) => (name ?? '').trim().toLowerCase()),
  );
  if (accepted.has('br')) {
    return {
      encoding: 'br',
      body: brotliCompressSync(body, {
        params: {
          [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
          [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
    };
  }
  if (accepted.has('gzip')) return { encoding: 'gzip', body: gzipSync(body) };
  return { encoding: null, body };
}
