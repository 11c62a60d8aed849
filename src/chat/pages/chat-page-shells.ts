import type { Request, Response } from 'express';
import { tenantName } from '../../tenants/tenant-context.js';
import { html, type SafeHtml } from '../../web/html.js';
import { staffRoleName, type Translate } from '../../web/i18n.js';
import { renderPage } from '../../web/layout.js';
import { MAX_EMAIL_LENGTH, MAX_TEXT_LENGTH } from '../protocol.js';

const CHAT_STYLES = ['/static/chat.css'];

/**
 * A conversation's message list: an `<ol>` inside the `role="log"` region (a role on the list
 * itself would take away its list semantics); the region is focusable so keyboard users can
 * scroll it.
 */
function messageLog(logId: string, listId: string, labelledBy: string): SafeHtml {
  return html`<div id="${logId}" class="chat-log" role="log" aria-live="polite" aria-labelledby="${labelledBy}" tabindex="0"><ol id="${listId}" class="chat-messages"></ol></div>`;
}

/** A reply field with its label and the Enter/Shift+Enter hint (`composer.ts` implements it). */
function replyField(textId: string, hintId: string, label: string, hint: string): SafeHtml {
  return html`<label for="${textId}">${label}</label>
<textarea id="${textId}" name="text" rows="3" maxlength="${MAX_TEXT_LENGTH}" aria-describedby="${hintId}"></textarea>
<p id="${hintId}" class="hint">${hint}</p>`;
}

/**
 * The visitor chat shell (standalone page and iframe widget): headings, labelled controls and
 * empty regions that `widget.js` fills. Everything visible before the script runs is rendered
 * here in the page language, so the page is understandable and labelled from the first paint.
 */
export function renderChatPage(req: Request, res: Response, options: { widget: boolean }): string {
  const { lang, t } = res.locals;
  const base = req.tenant.basePath;
  const org = tenantName(req.tenant, lang);
  return renderPage(req, res, {
    title: t('chat.pageTitle'),
    styles: CHAT_STYLES,
    scripts: ['/static/widget.js'],
    ...(options.widget ? { bodyClass: 'chat-widget' } : {}),
    body: html`<div id="chat-app" class="chat" data-bootstrap="${base}/api/chat/bootstrap?lang=${lang}" data-failed="${t('chat.loadFailed')}">
<div class="chat-header">
<h1 id="chat-heading">${t('chat.heading', { org })}</h1>
${options.widget ? html`<button type="button" id="widget-close" class="icon-button widget-close" hidden><svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M3.7 2.3 8 6.6l4.3-4.3 1.4 1.4L9.4 8l4.3 4.3-1.4 1.4L8 9.4l-4.3 4.3-1.4-1.4L6.6 8 2.3 3.7z"/></svg><span class="visually-hidden">${t('chat.closeWidget')}</span></button>` : ''}
</div>
<p id="chat-privacy" class="notice">${t('chat.privacyIntro')}</p>
<div id="sharing" class="panel sharing" hidden>
<p id="sharing-text"></p>
<button type="button" id="withdraw" class="secondary">${t('chat.withdraw')}</button>
</div>
<p id="chat-status" class="chat-status" role="status">${t('chat.loading')}</p>
<p id="chat-error" class="chat-error" role="alert"></p>
<p id="chat-news" class="visually-hidden" role="status"></p>
<section id="chat-topics" aria-labelledby="topics-heading" hidden>
<h2 id="topics-heading" tabindex="-1">${t('chat.topics.heading')}</h2>
<ul id="topic-list" class="topic-list"></ul>
</section>
<section id="chat-idreq" class="panel idreq" aria-labelledby="idreq-heading" tabindex="-1" hidden>
<h2 id="idreq-heading">${t('chat.idRequired.heading')}</h2>
<p id="idreq-text"></p>
<ul id="idreq-providers" class="providers"></ul>
</section>
<section id="chat-conversation" aria-labelledby="conversation-heading" hidden>
<h2 id="conversation-heading">${t('chat.conversation')}</h2>
${messageLog('chat-log', 'chat-messages', 'conversation-heading')}
<p id="typing" class="typing" hidden>${t('chat.typing.agent')}</p>
<form id="composer" class="composer">
${replyField('composer-text', 'composer-hint', t('chat.composer.label'), t('chat.composer.hint'))}
<div class="actions">
<button type="submit">${t('chat.send')}</button>
<button type="button" id="end-chat" class="secondary">${t('chat.end')}</button>
</div>
</form>
<p id="chat-closed" hidden><button type="button" id="new-chat">${t('chat.newChat')}</button></p>
</section>
<section id="chat-offline" class="offline" aria-labelledby="offline-heading" hidden>
<h2 id="offline-heading" tabindex="-1">${t('chat.offline.heading')}</h2>
<p>${t('chat.offline.text')}</p>
<p id="agents-back" class="panel" hidden>${t('chat.agents.back')} <button type="button" id="start-live" class="secondary">${t('chat.agents.startLive')}</button></p>
<form id="offline-form">
<p class="hint">${t('chat.offline.required')}</p>
<p class="field"><label for="offline-name">${t('chat.offline.name')}</label>
<input id="offline-name" name="name" autocomplete="name" required maxlength="200"></p>
<p class="field"><label for="offline-email">${t('chat.offline.email')}</label>
<input id="offline-email" name="email" type="email" autocomplete="email" required maxlength="${MAX_EMAIL_LENGTH}"></p>
<p class="field"><label for="offline-text">${t('chat.offline.message')}</label>
<textarea id="offline-text" name="text" rows="4" required maxlength="${MAX_TEXT_LENGTH}"></textarea></p>
<p id="offline-error" class="chat-error form-error" role="alert"></p>
<p class="form-submit"><button type="submit">${t('chat.offline.send')}</button> <span id="offline-status" class="form-status" role="status"></span></p>
</form>
<p id="offline-done" class="panel" role="status" tabindex="-1" hidden></p>
</section>
</div>`,
  });
}

/** Shown in the tab the visitor identified in; the chat window updates over its socket. */
export function renderIdentifiedPage(
  req: Request,
  res: Response,
  options: { state: 'shared' | 'nothing' | 'anonymous' },
): string {
  const { t } = res.locals;
  // Only a login whose identity was shared says "identified" (declining discards it); anyone
  // may open this address.
  const title =
    options.state === 'shared'
      ? t('chat.identified.title')
      : options.state === 'nothing'
        ? t('chat.identified.nothingTitle')
        : t('chat.identified.notTitle');
  const text =
    options.state === 'shared'
      ? t('chat.identified.text')
      : options.state === 'nothing'
        ? t('chat.identified.nothing')
        : t('chat.identified.anonymous');
  return renderPage(req, res, {
    title,
    styles: CHAT_STYLES,
    body: html`<h1>${title}</h1>
<p class="panel">${text}</p>
<p><a class="button secondary" href="${req.tenant.basePath}/chat">${t('chat.identified.back')}</a></p>`,
  });
}

/** The staff member's roles in the page's language ("Ada Admin (ylläpitäjä)"). */
function roleNames(t: Translate, roles: string[]): string {
  return roles.map((role) => staffRoleName(t, role)).join(', ');
}

/** What the staff pages show of who is signed in and the staff forms their roles allow. */
export interface StaffPageOptions {
  staffName: string;
  roles: string[];
  csrfToken: string;
  /** One of the tenant's `conversationDeleters`. */
  mayDelete: boolean;
  /** One of the tenant's `legalHolders`. */
  mayHold: boolean;
}

/** The agent console shell that `console.js` fills. */
export function renderConsolePage(req: Request, res: Response, options: StaffPageOptions): string {
  const { lang, t } = res.locals;
  const base = req.tenant.basePath;
  return renderPage(req, res, {
    title: t('chat.console.title'),
    styles: CHAT_STYLES,
    scripts: ['/static/console.js'],
    bodyClass: 'agent-console',
    body: html`<div id="console-app" class="console" data-bootstrap="${base}/api/chat/bootstrap?lang=${lang}" data-failed="${t('chat.loadFailed')}">
<div class="console-bar">
<h1>${t('chat.console.title')}</h1>
<p>${t('chat.console.signedIn', { name: options.staffName, roles: roleNames(t, options.roles) })}</p>
<form method="post" action="${base}/staff/logout"><input type="hidden" name="_csrf" value="${options.csrfToken}"><button type="submit" class="secondary">${t('chat.console.logout')}</button></form>
</div>
<p id="console-status" class="chat-status" role="status">${t('chat.loading')}</p>
<p id="console-error" class="chat-error" role="alert"></p>
<p id="console-news" class="visually-hidden" role="status"></p>
<div id="console-grid" class="console-grid">
<section id="console-queues" class="console-queues" aria-labelledby="queues-heading">
<h2 id="queues-heading" tabindex="-1">${t('chat.console.queues')}</h2>
<div id="queue-list"></div>
<h2 id="mine-heading" tabindex="-1">${t('chat.console.mine')}</h2>
<ul id="mine-list" class="conversation-list" aria-labelledby="mine-heading"></ul>
<div id="others" hidden>
<h2 id="others-heading" tabindex="-1">${t('chat.console.others')}</h2>
<ul id="others-list" class="conversation-list" aria-labelledby="others-heading"></ul>
</div>
</section>
<section id="console-conversation" class="console-conversation" aria-labelledby="conversation-heading">
<h2 id="conversation-heading" tabindex="-1">${t('chat.conversation')}</h2>
<p id="conversation-empty">${t('chat.console.noConversation')}</p>
<div id="conversation-body" hidden>
<p id="conversation-meta" class="notice"></p>
${messageLog('console-log', 'console-messages', 'conversation-heading')}
<p id="console-typing" class="typing" hidden>${t('chat.typing.visitor')}</p>
<form id="reply-form" class="composer">
${replyField('reply-text', 'reply-hint', t('chat.console.reply'), t('chat.composer.hint'))}
<div class="actions"><button type="submit">${t('chat.send')}</button></div>
</form>
<div class="actions conversation-actions">
<button type="button" id="request-id">${t('chat.console.requestId')}</button>
<span class="transfer"><label for="transfer-topic">${t('chat.console.transferTo')}</label>
<select id="transfer-topic"></select>
<button type="button" id="transfer" class="secondary">${t('chat.console.transfer')}</button></span>
<button type="button" id="close-conversation" class="secondary">${t('chat.console.close')}</button>
</div>
<p id="conversation-error" class="chat-error form-error" role="alert"></p>
${
  options.mayDelete || options.mayHold
    ? html`<p class="actions">${options.mayHold ? html`<a id="legal-hold" class="button secondary" href="${base}/staff/conversations/hold">${t('chat.console.hold')}</a>` : ''}${options.mayDelete ? html` <a id="delete-conversation" class="button danger secondary" href="${base}/staff/conversations/delete">${t('chat.console.delete')}</a>` : ''}</p>`
    : ''
}
</div>
</section>
<aside id="identity-panel" class="panel identity-panel" aria-labelledby="identity-heading">
<h2 id="identity-heading">${t('chat.console.identity')}</h2>
<div id="identity-body"><p>${t('chat.console.anonymous')}</p></div>
<section id="visit" aria-labelledby="visit-heading" hidden>
<h3 id="visit-heading">${t('chat.console.visit')}</h3>
<dl id="visit-list" class="identity-claims"></dl>
</section>
</aside>
</div>
<section id="console-offline" aria-labelledby="offline-list-heading">
<h2 id="offline-list-heading">${t('chat.console.offline')}</h2>
<p class="offline-filter"><label><input type="checkbox" id="offline-hide-handled"> ${t('chat.console.offlineHideHandled')}</label></p>
<p id="offline-error" class="chat-error form-error" role="alert"></p>
<ul id="offline-list" class="offline-list"></ul>
</section>
</div>`,
  });
}

/**
 * `GET /agent` for staff without a console role (security staff, by default): who is signed in,
 * the staff forms their roles allow (legal hold, deleting a conversation or an offline message,
 * each asking for the id), and signing out.
 */
export function renderStaffToolsPage(req: Request, res: Response, options: StaffPageOptions): string {
  const { t } = res.locals;
  const base = req.tenant.basePath;
  const tools = [
    ...(options.mayHold ? [{ href: `${base}/staff/conversations/hold`, label: t('chat.console.hold') }] : []),
    ...(options.mayDelete
      ? [
          { href: `${base}/staff/conversations/delete`, label: t('chat.console.delete') },
          { href: `${base}/staff/offline-messages/delete`, label: t('chat.staffTools.offlineDelete') },
        ]
      : []),
  ];
  return renderPage(req, res, {
    title: t('chat.staffTools.title'),
    body: html`<h1>${t('chat.staffTools.title')}</h1>
<p>${t('chat.console.signedIn', { name: options.staffName, roles: roleNames(t, options.roles) })}</p>
<p>${t('chat.staffTools.intro')}</p>
<ul class="staff-tools">${tools.map((tool) => html`<li><a class="button secondary" href="${tool.href}">${tool.label}</a></li>`)}</ul>
<form method="post" action="${base}/staff/logout"><input type="hidden" name="_csrf" value="${options.csrfToken}"><button type="submit" class="secondary">${t('chat.console.logout')}</button></form>`,
  });
}
