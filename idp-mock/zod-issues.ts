import type { z } from 'zod';

/**
 * Turns validation issues into one line each, led by the dotted key, so that an operator reads
 * `clients.0.redirectUris.1: Invalid URL` rather than a JSON dump.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): string {
  return issues
    .map((issue) => {
      const key = [...prefix, ...issue.path].map(String).join('.');
      return `  - ${key === '' ? '(root)' : key}: ${issue.message}`;
    })
    .join('\n');
}
