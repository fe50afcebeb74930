// The yardstick for referral throughput: a bare Fastify route that parses the same JSON and inserts it as one
// row into SQLite at the same durability as the portal (the portal's own openDatabase: WAL, synchronous = FULL).
// Started by the bench exactly like the app (node + tsx, 127.0.0.1, a free port). Env: PORT, BENCH_DB.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { openDatabase } from '../../db/client.ts';

const { sqlite } = openDatabase(process.env.BENCH_DB!);
sqlite.exec(
  'CREATE TABLE IF NOT EXISTS bare_insert (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL)',
);
const insert = sqlite.prepare('INSERT INTO bare_insert (id, body, created_at) VALUES (?, ?, ?)');

const app = Fastify({ logger: false, bodyLimit: 32 * 1024 });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/bare', async (request, reply) => {
  const id = randomUUID();
  insert.run(id, JSON.stringify(request.body), Date.now());
  return reply.code(201).send({ id });
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.on('SIGTERM', () => {
  void app.close().then(() => {
    sqlite.close();
    process.exit(0);
  });
});
