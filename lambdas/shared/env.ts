/** Reading the environment once, at cold start, with errors that name what is missing. */
import type { EnvName } from './env-names.ts';

export class MissingConfigError extends Error {
  override readonly name = 'MissingConfigError';
}

export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new MissingConfigError(`environment variable ${name} is not set`);
  }
  return value;
}

export function optionalEnv(
  name: EnvName,
  fallback: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const value = env[name];
  return value === undefined ? fallback : value;
}

export function listEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string[] {
  return requireEnv(name, env)
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}
