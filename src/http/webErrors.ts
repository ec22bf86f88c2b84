import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { formatAdminError, newTraceId, toAppError } from '../errors.js';

/**
 * The one error formatter of the web JSON APIs (`/admin/api`, `/api`): `{"error":{"code","message","trace_id"}}`,
 * 404 for unknown objects, `Retry-After` on throttling, unknown failures logged with their trace id.
 */
export function webErrorHandler(surface: string) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    const traceId = newTraceId();
    if (appError.kind === 'internal') request.log.error({ err: error, traceId }, `${surface} request failed`);
    if (appError.details?.retryAfter) reply.header('retry-after', String(appError.details.retryAfter));
    reply.code(appError.kind === 'unknown_object' ? 404 : appError.status).send(formatAdminError(appError, traceId));
  };
}
