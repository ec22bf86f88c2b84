import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase().replace(/^::ffff:/, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || isLoopbackAddress(bare);
}

/** The base URL for paging links and permalinks in an answer: PUBLIC_URL, else as the caller reached us. */
export function publicBase(config: Config, request: FastifyRequest): string {
  return config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/**
 * The base URL for links that leave the server (claim links, invitation mail): PUBLIC_URL.
 * Without it, only a loopback Host (a server tried on one machine) is used; any other Host
 * may be forged by the caller, so there is no base (null) and invitations are refused.
 */
export function linkBase(config: Config, request: FastifyRequest): string | null {
  if (config.publicUrl) return config.publicUrl;
  return isLoopbackHost(request.hostname) ? `${request.protocol}://${request.host}` : null;
}
