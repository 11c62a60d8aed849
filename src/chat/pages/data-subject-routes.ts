import express, { type Request, type Response } from 'express';
import type { TenantRoutes } from '../../app.js';
import { beginCitizenLogin } from '../../auth/citizen-login.js';
import type { ConsentReceipt } from '../../auth/consent-receipts.js';
import { type DataSubject, readDataSubject, saveSession } from '../../auth/session-state.js';
import type { GatewayDeps } from '../../deps.js';
import { csrfToken, verifyCsrf } from '../../http/csrf.js';
import { GatewayError, isGatewayError } from '../../http/errors.js';
import { exactRouter } from '../../http/exact-router.js';
import { redirectSameOrigin, redirectToProvider } from '../../http/safe-redirect.js';
import { findProvider, type TenantContext, tenantName } from '../../tenants/tenant-context.js';
import { html } from '../../web/html.js';
import { localize } from '../../web/i18n.js';
import { renderPage } from '../../web/layout.js';
import { providerButtons } from '../../web/pages/provider-buttons.js';
import { utcMinute } from '../../web/time-format.js';
import type { ChatBus } from '../chat-bus.js';
import { type ConversationRecord, DATA_SUBJECT_READER, type TranscriptReadRecord } from '../chat-records.js';
import type { OfflineMessageRepository, TranscriptAuditRepository } from '../chat-repositories.js';
import { actionEntry } from '../conversation-action.js';
import type { ConversationDeletion } from '../conversation-deletion.js';
import type { ConversationService } from '../conversation-service.js';
import { FORM_ERROR_ID, formAlert } from './staff-form-parts.js';

const PATH = '/privacy/my-data';
/**
 * How long one identification opens the citizen's own data: a copy or an erasure rests on a
 * login of the last minutes, not on a session left open on a shared computer.
 */
export const DATA_SUBJECT_MINUTES = 15;

/**
 * The citizen's rights over the chat's data about them (GDPR art. 15, 17 and 20):
 * - `GET /privacy/my-data`: identify (BankID, Suomi.fi, … as the tenant's providers) for this
 *   purpose only (`GET /privacy/my-data/login/{provider}`: nothing is shared, no consent page),
 *   then see the conversations they shared their identity into, open or closed, also where they
 *   withdrew it later;
 * - `GET /privacy/my-data/export`: a copy as JSON (conversations with every message and their
 *   metadata, the offline messages they left while identified, consent receipts, and when staff
 *   read or deleted which of them, by role);
 * - `POST /privacy/my-data/erase` (`confirm=yes`, CSRF): erases every one of them completely,
 *   as staff deletion does (audited as `erase`, open windows told `deleted`), and those offline
 *   messages (each audited as `erase` too; consoles drop them).
 * Conversations they had anonymously cannot be told apart from anyone else's and are not shown.
 */
export function dataSubjectRoutes(
  service: ConversationService,
  deletion: ConversationDeletion,
  bus: ChatBus,
): TenantRoutes {
  return (deps, tenant) => {
    const router = exactRouter();
    const form = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 });
    const subjectOf = (req: Request) =>
      readDataSubject(
        req.session,
        tenant.config.id,
        deps.fieldCrypto,
        deps.clock.now(),
        DATA_SUBJECT_MINUTES * 60_000,
      );

    /** The citizen's overview, with `error` on its erasure form when that was refused. */
    const sendOverview = async (req: Request, res: Response, subject: DataSubject, error?: GatewayError) => {
      const token = csrfToken(req);
      await saveSession(req);
      const conversations = await service.ofSubject(tenant.config.id, subject.subjectIndex);
      const offline = await deps.store.chat.offlineMessages.listBySubject(
        tenant.config.id,
        subject.subjectIndex,
      );
      res.setHeader('Cache-Control', 'no-store');
      res
        .status(error?.status ?? 200)
        .send(overviewPage(req, res, subject, conversations, offline.length, token, error));
    };

    router.get(PATH, async (req, res) => {
      const subject = subjectOf(req);
      if (!subject) {
        csrfToken(req);
        await saveSession(req);
        res.setHeader('Cache-Control', 'no-store');
        res.send(identifyPage(deps, req, res));
        return;
      }
      await sendOverview(req, res, subject);
    });

    router.get(`${PATH}/login/:provider`, async (req, res) => {
      const provider = findProvider(tenant, req.params.provider);
      const url = await beginCitizenLogin(deps, req, provider, {
        returnTo: `${tenant.basePath}${PATH}`,
        purpose: 'data-subject',
        loginHint: req.query.login_hint,
        uiLocales: res.locals.lang,
      });
      await saveSession(req);
      redirectToProvider(res, url);
    });

    router.get(`${PATH}/export`, async (req, res) => {
      const subject = requireSubject(subjectOf(req));
      const copy = await exportOf(deps, tenant, service, subject);
      req.log.info(
        {
          audit: true,
          tenant: tenant.config.id,
          conversations: copy.conversations.length,
          offlineMessages: copy.offlineMessages.length,
        },
        'citizen took a copy of their data',
      );
      const day = new Date(deps.clock.now()).toISOString().slice(0, 10);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Disposition', `attachment; filename="my-data-${tenant.config.id}-${day}.json"`);
      res.type('application/json').send(`${JSON.stringify(copy, null, 2)}\n`);
    });

    /**
     * Erases one of the citizen's conversations, or, while it is under legal hold, notes their
     * request on it for the hold's release to carry out (`LegalHolds`). A hold released between
     * the two steps is erased after all.
     */
    const eraseOrNote = async (
      req: Request,
      subject: DataSubject,
      conversationId: string,
    ): Promise<'erased' | 'held'> => {
      const tenantId = tenant.config.id;
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await deletion.delete({
            tenantId,
            conversationId,
            by: DATA_SUBJECT_READER,
            role: 'data-subject',
            reason: `Erasure requested by the citizen, identified with ${subject.provider}.`,
            action: 'erase',
          });
          return 'erased';
        } catch (error) {
          // Held (also since the list was read): erased when the hold is released.
          if (!isGatewayError(error) || error.code !== 'conversation_on_hold') throw error;
          if (await service.requestErasure(tenantId, conversationId, deps.clock.now())) {
            req.log.info(
              { audit: true, tenant: tenantId, conversation: conversationId },
              "erasure at the citizen's request waits for a legal hold's release",
            );
            return 'held';
          }
        }
      }
      return 'held';
    };

    router.post(
      `${PATH}/erase`,
      form,
      verifyCsrf((r) => r.tenant.allowedOrigins),
      async (req, res) => {
        const subject = requireSubject(subjectOf(req));
        if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
          // Said on the form itself, by the box: the form is `novalidate`, so this is what a
          // browser shows rather than its own bubble in the browser's language.
          await sendOverview(
            req,
            res,
            subject,
            new GatewayError('erasure_not_confirmed', 'Tick the box to confirm the erasure.'),
          );
          return;
        }
        const plan = erasurePlan(await service.ofSubject(tenant.config.id, subject.subjectIndex), subject);
        let erased = 0;
        for (const conversation of plan.erasable) {
          const outcome = await eraseOrNote(req, subject, conversation.id);
          if (outcome === 'erased') erased += 1;
          else plan.held += 1;
        }
        // What they left while identified when nobody was online is theirs too; consoles drop it.
        // Each is audited first, as a conversation is, under their blind index: their copy then
        // names it among `deletedOfflineMessages`, with what staff did with it before.
        const offline = await eraseOfflineMessages(
          deps.store.chat.offlineMessages,
          deps.store.chat.transcriptReads,
          { tenantId: tenant.config.id, subject, at: () => deps.clock.now() },
        );
        if (offline.length > 0) {
          bus.publish(
            { kind: 'queue', tenantId: tenant.config.id },
            { type: 'offline-messages-deleted', ids: offline },
          );
          req.log.info(
            { audit: true, tenant: tenant.config.id, offlineMessages: offline.length },
            "offline messages erased at the citizen's request",
          );
        }
        res.setHeader('Cache-Control', 'no-store');
        res.send(erasedPage(req, res, erased, offline.length, plan));
      },
    );

    // The old address of a finished erasure or a bookmarked copy: back to the overview.
    router.get(`${PATH}/erase`, (req, res) => redirectSameOrigin(res, `${req.tenant.basePath}${PATH}`));
    return router;
  };
}

/** @throws {GatewayError} `data_subject_required` (403) without a recent identification for this purpose. */
function requireSubject(subject: DataSubject | undefined): DataSubject {
  if (!subject) {
    throw new GatewayError(
      'data_subject_required',
      `Identify again to see your data (an identification opens it for ${DATA_SUBJECT_MINUTES} minutes).`,
    );
  }
  return subject;
}

function identifyPage(deps: GatewayDeps, req: Request, res: Response): string {
  const { t, lang } = res.locals;
  const tenant = req.tenant;
  const providers = tenant.config.providers.map((p) => ({
    label: localize(p.label, lang),
    loginUrl: `${tenant.basePath}${PATH}/login/${encodeURIComponent(p.id)}`,
    available: deps.oidc.isReady(tenant.config.id, p.id),
  }));
  return renderPage(req, res, {
    title: t('mydata.title'),
    body: html`<h1>${t('mydata.title')}</h1>
<p>${t('mydata.intro', { org: tenantName(tenant, lang) })}</p>
<p>${t('mydata.identifyWhy', { minutes: String(DATA_SUBJECT_MINUTES) })}</p>
<section aria-labelledby="mydata-providers">
<h2 id="mydata-providers">${t('mydata.identify')}</h2>
${providerButtons(t, providers)}
</section>
<p>${t('mydata.anonymousNote')}</p>`,
  });
}

function overviewPage(
  req: Request,
  res: Response,
  subject: DataSubject,
  conversations: ConversationRecord[],
  offlineMessages: number,
  token: string,
  error?: GatewayError,
): string {
  const { t, lang } = res.locals;
  const base = req.tenant.basePath;
  // The day stays whole ("2026-12-|07" at 320 px reads as two things); the time may go below it.
  const startedCell = (at: number) => {
    const [day, time] = utcMinute(at).split(' ');
    return html`<span class="day">${day}</span> ${time}`;
  };
  const rows = conversations.map(
    (c) =>
      html`<tr><td>${startedCell(c.createdAt)}</td><td>${topicLabel(req.tenant, c.topic, lang)}</td><td>${t(`mydata.status.${c.status}`)}${c.legalHold ? html` (${t(c.erasureRequestedAt === undefined ? 'mydata.onHold' : 'mydata.onHoldErasing')})` : ''}${withAnother(c, subject) ? html` (${t('mydata.withAnother')})` : ''}</td></tr>`,
  );
  const list =
    conversations.length === 0
      ? html`<p>${t('mydata.none')}</p>`
      : html`<table class="data-table"><caption>${t('mydata.listCaption', { count: String(conversations.length) })}</caption>
<thead><tr><th scope="col">${t('mydata.started')}</th><th scope="col">${t('mydata.topic')}</th><th scope="col">${t('mydata.state')}</th></tr></thead>
<tbody>${rows}</tbody></table>`;
  // The box counts what the erasure takes; what it keeps is said.
  const plan = erasurePlan(conversations, subject);
  return renderPage(req, res, {
    title: t('mydata.title'),
    refused: error !== undefined,
    body: html`<h1>${t('mydata.title')}</h1>
<p>${subject.name ? t('mydata.greeting', { name: subject.name }) : t('mydata.greetingNoName')}</p>
${list}
${offlineMessages > 0 ? html`<p>${t('mydata.offline', { count: String(offlineMessages) })}</p>` : ''}
<section class="panel" aria-labelledby="mydata-copy">
<h2 id="mydata-copy">${t('mydata.copyTitle')}</h2>
<p>${t('mydata.copyText')}</p>
<p><a class="button" href="${base}${PATH}/export" download>${t('mydata.copy')}</a></p>
</section>
${keptNotes(req, res, plan)}
${
  plan.erasable.length > 0 || offlineMessages > 0
    ? html`<section class="panel" aria-labelledby="mydata-erase">
<h2 id="mydata-erase">${t('mydata.eraseTitle')}</h2>
<p>${t('mydata.eraseText')}</p>
${formAlert(res, error)}
<form method="post" action="${base}${PATH}/erase" novalidate>
<input type="hidden" name="_csrf" value="${token}">
<div class="confirm"><input type="checkbox" id="mydata-confirm" name="confirm" value="yes" required${error ? html` aria-invalid="true" aria-describedby="${FORM_ERROR_ID}"` : ''}><label for="mydata-confirm">${t('mydata.eraseConfirm', { count: String(plan.erasable.length) })}</label></div>
<div class="actions"><button type="submit" class="danger">${t('mydata.erase')}</button></div>
</form>
</section>`
    : ''
}
<form method="post" action="${base}/auth/logout"><input type="hidden" name="_csrf" value="${token}"><button type="submit" class="secondary">${t('mydata.done')}</button></form>`,
  });
}

function erasedPage(
  req: Request,
  res: Response,
  count: number,
  offlineMessages: number,
  plan: ErasurePlan,
): string {
  const { t } = res.locals;
  return renderPage(req, res, {
    title: t('mydata.erasedTitle'),
    body: html`<h1>${t('mydata.erasedTitle')}</h1>
<div class="panel" role="status"><p>${t('mydata.erased', { count: String(count) })}</p>${offlineMessages > 0 ? html`<p>${t('mydata.offlineErased', { count: String(offlineMessages) })}</p>` : ''}${keptNotes(req, res, plan)}</div>
<p>${t('mydata.receiptsKept')}</p>
<p class="actions"><a class="button secondary" href="${req.tenant.basePath}${PATH}">${t('mydata.back')}</a></p>`,
  });
}

/**
 * Whether another person's identity was shared into the conversation too (in the same browser,
 * after this citizen's): its verified messages are then not all theirs, and their copy and
 * erasure leave it to the organisation (art. 15(4): not to the detriment of others).
 */
function withAnother(conversation: ConversationRecord, subject: DataSubject): boolean {
  return (conversation.subjects ?? []).some((s) => s !== subject.subjectIndex);
}

/** What the citizen's erasure does with each of their conversations. */
interface ErasurePlan {
  /** Theirs alone: erased now, or when their legal hold is released. */
  erasable: ConversationRecord[];
  /** Kept for a case (GDPR art. 17(3)(e)) and erased when the hold is released. */
  held: number;
  /** Kept: another person identified in it too (art. 17 is one's own; the organisation handles it). */
  withOthers: number;
}

function erasurePlan(conversations: readonly ConversationRecord[], subject: DataSubject): ErasurePlan {
  const plan: ErasurePlan = { erasable: [], held: 0, withOthers: 0 };
  for (const c of conversations) {
    if (withAnother(c, subject)) plan.withOthers += 1;
    else plan.erasable.push(c);
  }
  return plan;
}

/** What an erasure keeps, and why (nothing when it keeps nothing). */
function keptNotes(req: Request, res: Response, plan: ErasurePlan) {
  const { t, lang } = res.locals;
  const org = tenantName(req.tenant, lang);
  return html`${plan.held > 0 ? html`<p>${t('mydata.keptOnHold', { count: String(plan.held) })}</p>` : ''}${plan.withOthers > 0 ? html`<p>${t('mydata.keptWithAnother', { count: String(plan.withOthers), org })}</p>` : ''}`;
}

function topicLabel(tenant: TenantContext, topicId: string, lang: Parameters<typeof localize>[1]): string {
  const topic = tenant.config.topics.find((t) => t.id === topicId);
  return topic ? localize(topic.title, lang) : topicId;
}

/**
 * The citizen's copy: what the chat keeps about them in this organisation, readable and
 * machine-readable (GDPR art. 15 and 20). Staff who read or deleted a conversation appear by
 * role and time, not by name.
 */
async function exportOf(
  deps: GatewayDeps,
  tenant: TenantContext,
  service: ConversationService,
  subject: DataSubject,
) {
  const tenantId = tenant.config.id;
  const conversations = await service.ofSubject(tenantId, subject.subjectIndex);
  const receipts = await deps.store.receipts.listBySubject(tenantId, subject.subjectIndex);
  const offline = await deps.store.chat.offlineMessages.listBySubject(tenantId, subject.subjectIndex);
  const audit = deps.store.chat.transcriptReads;
  // Conversations of theirs that staff deleted, or they erased: gone, but the audit trail keeps
  // that, when, and what staff did with them before (GDPR art. 15(1)(c)).
  const kept = new Set(conversations.map((c) => c.id));
  const deletions = new Map<string, number>();
  // Offline messages of theirs that staff deleted, likewise (`target`; their id as `conversationId`).
  const offlineDeletions = new Map<string, number>();
  for (const entry of await audit.listDeletionsOf(tenantId, subject.subjectIndex)) {
    const gone = entry.target === 'offline-message' ? offlineDeletions : deletions;
    if (!kept.has(entry.conversationId) && !gone.has(entry.conversationId))
      gone.set(entry.conversationId, entry.at);
  }
  const iso = (at: number | undefined) => (at === undefined ? undefined : new Date(at).toISOString());
  const staffAccessOf = async (conversationId: string) =>
    // A legal hold, past or present, is the organisation's own case (the conversation says only
    // whether it is held now).
    (await audit.list(tenantId, conversationId))
      .filter((a) => a.action !== 'hold' && a.action !== 'release')
      .map((a) => ({ role: a.role, at: iso(a.at), action: a.action ?? 'read' }));
  return {
    exportedAt: iso(deps.clock.now()),
    organisation: tenantName(tenant, 'en'),
    identifiedWith: subject.provider,
    retention: tenant.config.retention,
    conversations: await Promise.all(
      conversations.map(async (c) => {
        const head = {
          id: c.id,
          topic: c.topic,
          status: c.status,
          startedAt: iso(c.createdAt),
          closedAt: iso(c.closedAt),
        };
        // Another person's data is in it too: named, without its content (the organisation
        // answers for it).
        if (withAnother(c, subject)) return { ...head, withAnotherPerson: true };
        const identity = service.readIdentity(c);
        const own = identity?.subjectIndex === subject.subjectIndex ? identity : undefined;
        const messages = await service.messages(c.tenantId, c.id);
        return {
          ...head,
          anonymisedAt: iso(c.anonymisedAt),
          // Kept for a case: not erased on request while held (the case itself is not told);
          // an erasure asked for meanwhile is carried out when the hold is released.
          legalHold: c.legalHold !== undefined,
          ...(c.erasureRequestedAt === undefined ? {} : { erasureRequestedAt: iso(c.erasureRequestedAt) }),
          sharedIdentity: own
            ? {
                provider: own.provider,
                claims: own.claims,
                sharedAt: iso(own.sharedAt),
                receiptId: own.receiptId,
              }
            : null,
          agents: c.participants.filter((p) => p.kind === 'agent').map((p) => p.name ?? ''),
          metadata: c.metadata,
          // How often its transcript was e-mailed on request (the addresses are kept nowhere).
          ...(c.transcriptEmails ? { transcriptEmails: c.transcriptEmails } : {}),
          messages: messages.map((m) => ({
            seq: m.seq,
            from: m.from,
            ...(m.authorName ? { agent: m.authorName } : {}),
            text: m.text,
            at: iso(m.at),
            verified: m.verified,
            ...(m.redacted ? { redacted: true } : {}),
          })),
          // Reads and deletions of it by staff.
          staffAccess: await staffAccessOf(c.id),
        };
      }),
    ),
    deletedConversations: await Promise.all(
      [...deletions].map(async ([id, at]) => ({
        id,
        deletedAt: iso(at),
        staffAccess: await staffAccessOf(id),
      })),
    ),
    // Left while identified, when no agent was online or the queue was full (anonymous ones cannot be told apart).
    // With staff's reads, handled marks and reopenings of each, as a conversation's (the audit
    // trail has them under its id).
    offlineMessages: await Promise.all(
      offline.map(async (m) => ({
        id: m.id,
        leftAt: iso(m.createdAt),
        name: m.name,
        email: m.email,
        text: m.text,
        ...(m.redacted ? { redacted: true } : {}),
        // Marked handled by staff: when, not by whom (the staff access below names the role).
        ...(m.handled ? { handledAt: iso(m.handled.at) } : {}),
        staffAccess: await staffAccessOf(m.id),
      })),
    ),
    deletedOfflineMessages: await Promise.all(
      [...offlineDeletions].map(async ([id, at]) => ({
        id,
        deletedAt: iso(at),
        staffAccess: await staffAccessOf(id),
      })),
    ),
    consentReceipts: receipts.map((r: ConsentReceipt) => ({
      id: r.id,
      decision: r.decision,
      provider: r.provider,
      loa: r.loa,
      claims: r.claims,
      ...(r.recipient ? { recipient: r.recipient.name } : {}),
      issuedAt: iso(r.issuedAt),
      signed: r.jws,
    })),
  };
}

/**
 * Erases the offline messages a citizen left while identified, each audited first (`erase`,
 * `target: "offline-message"`, role `data-subject`, no name) under the blind index of their
 * identity; one left while the erasure ran is audited as it goes. Resolves with the ids erased.
 */
async function eraseOfflineMessages(
  offlineMessages: OfflineMessageRepository,
  audit: TranscriptAuditRepository,
  erasure: { tenantId: string; subject: { subjectIndex: string; provider: string }; at: () => number },
): Promise<string[]> {
  const { tenantId, subject } = erasure;
  const entry = (id: string): TranscriptReadRecord => ({
    ...actionEntry(
      {
        tenantId,
        conversationId: id,
        by: DATA_SUBJECT_READER,
        role: 'data-subject',
        reason: `Erasure requested by the citizen, identified with ${subject.provider}.`,
      },
      'erase',
      erasure.at(),
    ),
    target: 'offline-message',
  });
  const listed = new Set(
    (await offlineMessages.listBySubject(tenantId, subject.subjectIndex)).map((m) => m.id),
  );
  for (const id of listed) await audit.append(entry(id), [subject.subjectIndex]);
  const erased = await offlineMessages.deleteBySubject(tenantId, subject.subjectIndex);
  for (const id of erased) if (!listed.has(id)) await audit.append(entry(id), [subject.subjectIndex]);
  return erased;
}
