import { recordAudit } from '../../audit/audit.ts';
import { ADMIN_ROLES } from '../../staff/roles.ts';
import { notFound, redirect, render, staffRoute, type StaffRoute } from '../http.ts';

/**
 * Mail that could not be sent (after 24 hours of retries), for admins. Recipients, subjects and bodies are not
 * shown: the kind, timing and error are enough to act on, and an acknowledgement goes to a client's own address.
 */
export const adminMailRoutes: StaffRoute[] = [
  staffRoute('GET', '/staff/admin/mail', ADMIN_ROLES, (ctx) =>
    render({
      kind: 'failed_mail',
      messages: ctx.services.mail.listFailed().map((m) => ({
        id: m.id,
        kind: m.kind,
        createdAt: m.createdAt,
        attempts: m.attempts,
        lastError: m.lastError,
        lastAttemptAt: m.lastAttemptAt,
      })),
    }),
  ),

  staffRoute(
    'POST',
    '/staff/admin/mail/:id/retry',
    ADMIN_ROLES,
    (ctx) => {
      const id = ctx.params.id ?? '';
      // Re-queues it and wakes the outbox worker (server/mail).
      if (!ctx.services.mail.retryFailed(id)) return notFound();
      recordAudit(
        ctx.services.db,
        { actorId: ctx.staff.id, action: 'mail_retry_requested', detail: { messageId: id } },
        ctx.now,
      );
      return redirect('/staff/admin/mail', {
        messages: [{ kind: 'success', text: 'Queued again. The outbox will retry it for another 24 hours.' }],
      });
    },
    { exampleParams: { id: '00000000-0000-4000-8000-000000000000' } },
  ),
];
