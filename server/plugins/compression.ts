import fp from 'fastify-plugin';
import compress from '@fastify/compress';

/** Brotli or gzip for every reply Fastify sends; the public pages' 30 KB budget is measured compressed. */
export const compressionPlugin = fp(
  async (app) => {
    await app.register(compress, { global: true, threshold: 512, encodings: ['br', 'gzip'] });
  },
  { name: 'compression' },
);
