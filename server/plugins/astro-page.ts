import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AstroHandler, AstroLocals } from './astro-ssr.ts';

/**
 * Renders a page through Astro's node handler into memory instead of onto the socket, so the route can send
 * it with Fastify like any other reply: compressed (the public site's pages must stay small: /refer is about
 * 50 KB of HTML, about 8 KB with brotli), with its headers, cookies and logging, and without hijacking the reply.
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

/**
 * Renders `locals` through Astro as a GET of `url` (default: the request's own URL) into memory. Fastify has
 * already read any request body, so Astro must not try to; the real method and URL are put back afterwards for
 * the hooks and the request log. Throws when Astro gave up (an empty 500 or a cut-off body).
 */
export async function renderAstroPage(
  handler: AstroHandler,
  request: FastifyRequest,
  locals: AstroLocals,
  options: { url?: string } = {},
): Promise<RenderedPage> {
  const { method, url } = request.raw;
  if (method !== 'GET' && method !== 'HEAD') request.raw.method = 'GET';
  if (options.url) request.raw.url = options.url;
  let page: RenderedPage;
  try {
    page = await renderPage(handler, request.raw, locals);
  } finally {
    request.raw.method = method;
    request.raw.url = url;
  }
  // Astro answers a failed render with an empty 500 (or a cut-off body): show the app's own error page.
  if (page.failed || (page.status >= 500 && page.body.length === 0)) {
    throw page.failed ?? new Error('The page could not be rendered');
  }
  return page;
}

/** Sends a rendered page (or `body` in its place) with its status and headers; `headers` win over the page's. */
export function sendRenderedPage(
  reply: FastifyReply,
  page: Pick<RenderedPage, 'status' | 'headers' | 'body'>,
  headers: Record<string, string> = {},
): FastifyReply {
  for (const [name, value] of Object.entries(page.headers)) {
    if (value === undefined || name === 'content-length' || name === 'transfer-encoding') continue;
    void reply.header(name, value);
  }
  for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
  return reply.code(page.status).send(page.body);
}

/** Renders `locals` through Astro (see `renderAstroPage`) and sends it with Fastify. */
export async function sendAstroPage(
  handler: AstroHandler,
  request: FastifyRequest,
  reply: FastifyReply,
  locals: AstroLocals,
  options: { url?: string; headers?: Record<string, string> } = {},
): Promise<FastifyReply> {
  const page = await renderAstroPage(handler, request, locals, options.url ? { url: options.url } : {});
  return sendRenderedPage(reply, page, options.headers);
}
