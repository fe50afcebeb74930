import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { staffRoutes } from '../../../server/backoffice/route-table.ts';
import { backofficePrepare } from '../../../server/backoffice/plugin.ts';
import { astroSsrRoutes } from '../../../server/plugins/astro-ssr.ts';
import { STAFF_ROLES, type StaffRole } from '../../../server/staff/roles.ts';
import type { StaffRoute } from '../../../server/backoffice/http.ts';
import { enrolStaff, seedTestOffices, signedIn, StaffClient, type TestStaffMember } from './staff-client.ts';

/**
 * Every route in the route table, for every role and for someone not signed in, built from the table itself:
 * a route added to the table is checked here without anyone remembering to add a test.
 */

type Identity = 'anonymous' | StaffRole;
const IDENTITIES: Identity[] = ['anonymous', ...STAFF_ROLES];

function concretePath(route: StaffRoute): string {
  return route.path.replace(
    /:([A-Za-z]+)/g,
    (_, name: string) => route.exampleParams?.[name] ?? '00000000-0000-4000-8000-000000000000',
  );
}

describe('role-by-route matrix', () => {
  const clock = fixedClock('2026-03-10T10:00:00Z');
  let t: TestApp;
  const members = new Map<StaffRole, TestStaffMember>();
  const clients = new Map<StaffRole, StaffClient>();

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    seedTestOffices(t.database.db);
    for (const role of STAFF_ROLES) {
      members.set(
        role,
        await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), {
          role,
          officeIds: role === 'admin' ? [] : ['leeds'],
        }),
      );
    }
  });
  afterAll(async () => t.cleanup());

  /** A signed-in client for the role, signing in again if the last route signed it out. */
  async function clientFor(role: StaffRole): Promise<StaffClient> {
    const existing = clients.get(role);
    if (existing && (await existing.get('/staff/account')).statusCode === 200) return existing;
    const client = await signedIn(t, members.get(role)!, clock, `10.9.0.${STAFF_ROLES.indexOf(role) + 1}`);
    clients.set(role, client);
    return client;
  }

  it('has a rule for every route, and only known roles in it', () => {
    expect(staffRoutes.length).toBeGreaterThan(10);
    const keys = new Set<string>();
    for (const route of staffRoutes) {
      expect(route.path.startsWith('/staff')).toBe(true);
      const key = `${route.method} ${route.path}`;
      expect(keys.has(key)).toBe(false);
      keys.add(key);
      if (route.access.kind === 'staff') {
        expect(route.access.roles.length).toBeGreaterThan(0);
        for (const role of route.access.roles) expect(STAFF_ROLES).toContain(role);
      }
    }
  });

  for (const route of staffRoutes) {
    it(`${route.method} ${route.path}`, async () => {
      const path = concretePath(route);
      for (const identity of IDENTITIES) {
        const client =
          identity === 'anonymous' ? new StaffClient(t.app, { ip: '10.9.1.1' }) : await clientFor(identity);
        if (identity === 'anonymous')
          await client.get('/staff/sign-in'); // a CSRF token, so only access decides
        else await client.get('/staff/account');
        const res = route.method === 'GET' ? await client.get(path) : await client.post(path, {});
        const where = `${identity} ${route.method} ${path} -> ${res.statusCode} ${res.headers.location ?? ''}`;
        expect(res.statusCode, where).toBeLessThan(500);
        const toSignIn = res.statusCode === 303 && String(res.headers.location).startsWith('/staff/sign-in');
        if (route.access.kind === 'public') {
          // Open to anyone (a signed-in browser's token is not valid on the sign-in forms, which is fine).
          expect(res.body, where).not.toContain('You do not have access to this page');
        } else if (route.access.kind === 'challenge') {
          // Nobody here is part-way through signing in.
          expect(res.headers.location, where).toBe('/staff/sign-in?problem=expired');
        } else if (identity === 'anonymous') {
          expect(toSignIn, where).toBe(true);
        } else if (route.access.roles.includes(identity)) {
          expect(res.statusCode, where).not.toBe(403);
          expect(toSignIn && !path.startsWith('/staff/sign-out'), where).toBe(false);
        } else {
          expect(res.statusCode, where).toBe(403);
          expect(res.body, where).toContain('You do not have access to this page');
        }
        expect(res.headers['cache-control'], where).toBe('no-store');
        expect(String(res.headers['x-robots-tag']), where).toContain('noindex');
      }
    });
  }

  it('refuses to start when a /staff route is added outside the route table', async () => {
    const app = Fastify();
    const services = t.app.services;
    const prepare = backofficePrepare({ config: t.config, services, routes: [] });
    await expect(
      app
        .register(astroSsrRoutes, {
          handler: async () => undefined,
          services,
          prepare: async (scope, render) => {
            await prepare(scope, render);
            scope.get('/staff/forgotten', async () => 'secret');
          },
        })
        .ready(),
    ).rejects.toThrow(/without an access rule/);
    await app.close();
  });
});
