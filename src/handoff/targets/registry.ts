import type { HandoffTargetConfig } from '../../config/handoff-schema.js';
import { chatwootTarget } from './chatwoot.js';
import type { HandoffTarget } from './handoff-target.js';
import { intercomTarget } from './intercom.js';
import { ninchatTarget } from './ninchat.js';
import { omnichannelTarget } from './omnichannel.js';
import { salesforceTarget } from './salesforce.js';
import { zendeskTarget } from './zendesk.js';

/** Builds the target module of a configured vendor: a new vendor is one file and one line here. */
export function createTarget(config: HandoffTargetConfig): HandoffTarget {
  switch (config.vendor) {
    case 'zendesk':
      return zendeskTarget(config);
    case 'salesforce':
      return salesforceTarget(config);
    case 'ninchat':
      return ninchatTarget(config);
    case 'omnichannel':
      return omnichannelTarget(config);
    case 'chatwoot':
      return chatwootTarget(config);
    case 'intercom':
      return intercomTarget(config);
  }
}
