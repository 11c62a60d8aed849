import { DEFAULT_FIELD_NAMES, type HandoffFieldNames } from '../../config/handoff-schema.js';
import type { HandoffRelease } from './handoff-target.js';

/**
 * The release as flat key/value pairs (primitives only) for vendors that show free-form
 * fields to the agent: Ninchat metadata, Omnichannel context variables, Chatwoot custom
 * attributes. Only the claims present in the release (the ticked ones) appear.
 */
export function contextFields(release: HandoffRelease, names: HandoffFieldNames): Record<string, string> {
  const fields: Record<string, string> = {
    [names.loa ?? DEFAULT_FIELD_NAMES.loa]: release.loa,
    [names.provider ?? DEFAULT_FIELD_NAMES.provider]: release.provider,
  };
  const { claims } = release;
  if (claims.name) fields[names.name ?? DEFAULT_FIELD_NAMES.name] = claims.name;
  if (claims.birthDate) fields[names.birthDate ?? DEFAULT_FIELD_NAMES.birthDate] = claims.birthDate;
  if (claims.nationalId) fields[names.nationalId ?? DEFAULT_FIELD_NAMES.nationalId] = claims.nationalId;
  return fields;
}
