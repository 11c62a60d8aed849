/**
 * Every error code the gateway answers with, its HTTP status and a default message: one table,
 * as oidc-provider keeps its errors in `lib/helpers/errors.js`. `GatewayError.code` is typed as
 * this table's keys, so a new code does not compile until it is added here, and the README's
 * error table is checked against this one (`test/unit/http/error-codes.test.ts`).
 * WebSocket refusals use the same codes with a close code from `src/chat/close-codes.ts`.
 */
export const ERRORS = {
  // Requests
  request_invalid: { status: 400, message: 'The request could not be read.' },
  request_too_large: { status: 413, message: 'The request is too large.' },
  request_unsupported: {
    status: 415,
    message: 'The request uses an encoding or character set this service does not accept.',
  },
  rate_limited: { status: 429, message: 'Too many requests. Please wait a moment and try again.' },
  csrf_invalid: { status: 403, message: 'The form has expired or was not sent by this site.' },
  return_to_invalid: { status: 400, message: 'The return address must be a path on this site.' },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'This address does not take this kind of request.' },
  upgrade_required: { status: 426, message: 'This address takes WebSocket connections only.' },
  internal_error: { status: 500, message: 'Internal error.' },
  store_unavailable: { status: 503, message: 'The service is temporarily unavailable. Try again shortly.' },
  sealed_data_invalid: { status: 500, message: 'Stored identity data could not be read.' },
  // Citizen login
  provider_unknown: { status: 404, message: 'No such identity provider.' },
  provider_unavailable: { status: 503, message: 'The identity provider could not be reached.' },
  provider_misconfigured: { status: 500, message: 'The identity provider is not configured correctly.' },
  provider_error: { status: 400, message: 'The identity provider answered with an error.' },
  login_cancelled: { status: 400, message: 'The identification was cancelled.' },
  login_expired: { status: 400, message: 'This identification is unknown, expired or already used.' },
  login_failed: { status: 400, message: 'The answer of the identity provider could not be verified.' },
  state_mismatch: { status: 400, message: 'The answer came back to another provider than the one asked.' },
  iss_mismatch: { status: 400, message: 'The answer did not come from the expected provider.' },
  id_token_invalid: { status: 400, message: 'The ID token could not be verified.' },
  token_exchange_failed: { status: 400, message: 'The identity provider refused the code.' },
  acr_too_low: { status: 403, message: 'The level of assurance is below what this service requires.' },
  acr_unknown: { status: 400, message: 'The identity provider returned an unknown authentication level.' },
  national_id_invalid: { status: 400, message: 'The national identity number is not valid.' },
  test_identity_refused: { status: 403, message: 'Test identities are not accepted by this service.' },
  claims_missing: { status: 400, message: 'The identity provider did not send a required claim.' },
  claims_invalid: { status: 400, message: 'The identity provider sent a claim that is not valid.' },
  claims_inconsistent: {
    status: 400,
    message: 'The identity provider sent details that contradict each other.',
  },
  // Consent and hand-off
  consent_invalid: { status: 400, message: 'Choose to share the selected details or to share nothing.' },
  consent_not_pending: { status: 409, message: 'There is no identity waiting for consent.' },
  handover_invalid: {
    status: 400,
    message: 'This identification hand-over is unknown, expired, already used or belongs to another session.',
  },
  handover_pending: {
    status: 409,
    message: 'The identification in the other tab is not finished yet.',
  },
  handoff_not_shared: {
    status: 409,
    message: 'Identify and choose what to share before your identity can be handed to the chat.',
  },
  handoff_target_unknown: { status: 404, message: 'No such chat system is configured.' },
  handoff_no_keys: { status: 404, message: 'This chat system verifies no public key.' },
  handoff_interaction_expired: {
    status: 400,
    message:
      'This sign-in for the chat has expired or belongs to another browser. Start again from the chat.',
  },
  handoff_protocol_error: {
    status: 400,
    message: 'The chat system’s sign-in or logout request was refused (the OAuth error is in the message).',
  },
  // Staff
  staff_unavailable: { status: 404, message: 'Staff login is not configured for this service.' },
  staff_forbidden: { status: 403, message: 'Your role does not give access to this page.' },
  staff_no_role: { status: 403, message: 'This account has no role in the chat service.' },
  staff_wrong_tenant: { status: 403, message: 'This account belongs to another organisation.' },
  staff_assurance_too_low: {
    status: 403,
    message:
      'Your sign-in did not use the authentication this service requires (for example a second factor).',
  },
  // Chat
  step_up_invalid: { status: 410, message: 'This identification link is unknown or was already used.' },
  step_up_expired: { status: 410, message: 'This identification link has expired.' },
  step_up_forbidden: { status: 403, message: 'This identification link was made for another chat.' },
  topic_unknown: { status: 400, message: 'No such topic.' },
  identification_required: { status: 400, message: 'The visitor is not identified as this topic requires.' },
  no_conversation: { status: 400, message: 'Start or resume a conversation first.' },
  conversation_not_found: { status: 404, message: 'No such conversation.' },
  conversation_closed: { status: 409, message: 'The conversation is closed.' },
  conversation_taken: { status: 409, message: 'Another agent has this conversation.' },
  not_assigned: { status: 403, message: 'Claim the conversation first.' },
  text_too_long: { status: 400, message: 'The message is too long.' },
  offline_message_invalid: { status: 400, message: 'Give a name, a valid e-mail address and a message.' },
  offline_message_not_found: { status: 404, message: 'No such offline message.' },
  offline_message_id_invalid: { status: 400, message: 'Give the id of the offline message.' },
  conversation_limit: { status: 429, message: 'Too many conversations were started; try again later.' },
  offline_message_limit: { status: 429, message: 'Too many offline messages were left; try again later.' },
  queue_full: { status: 503, message: 'Too many visitors are waiting; try again later or leave a message.' },
  too_many_queued: {
    status: 429,
    message: 'Too many conversations from here are already waiting; wait for an answer or try again later.',
  },
  conversation_full: {
    status: 409,
    message: 'This conversation has reached its length limit; end it and start a new one.',
  },
  conversation_id_invalid: { status: 400, message: 'Give the id of the conversation.' },
  conversation_on_hold: { status: 409, message: 'The conversation is under legal hold.' },
  deletion_reason_invalid: {
    status: 400,
    message: 'Give the reason for deleting in 5 to 500 characters.',
  },
  hold_reason_invalid: {
    status: 400,
    message: 'Give the case or reason in 5 to 500 characters.',
  },
  transcript_email_unavailable: {
    status: 403,
    message: 'This service does not send transcripts by e-mail.',
  },
  email_invalid: { status: 400, message: 'Give a valid e-mail address.' },
  transcript_not_ready: {
    status: 409,
    message: 'Only the transcript of a finished conversation an agent answered can be e-mailed.',
  },
  transcript_email_limit: {
    status: 429,
    message: 'No more transcripts now: three per conversation, and a few a day per address and visitor.',
  },
  mail_failed: { status: 502, message: 'The e-mail could not be sent. Try again later.' },
  // The citizen's own data
  data_subject_required: {
    status: 403,
    message: 'Identify again to see your data (an identification opens it for 15 minutes).',
  },
  erasure_not_confirmed: { status: 400, message: 'Tick the box to confirm the erasure.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable, documented error code. */
export type ErrorCode = keyof typeof ERRORS;

/** Whether `value` is one of the table's codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}
