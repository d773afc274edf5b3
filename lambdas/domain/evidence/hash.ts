import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256, the form every hash in `Evidence` takes. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
