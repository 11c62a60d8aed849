import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { GatewayConfig } from '../config/schema.js';
import { newId } from './ids.js';
import type { Logger } from './logger.js';

/** One plain-text e-mail. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends the gateway's e-mails (`mail` in the configuration). */
export interface Mailer {
  /** Resolves once the SMTP server accepted the mail (or the outbox holds it); rejects otherwise. */
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * The configured mailer, or `undefined` without `mail`. SMTP through nodemailer: `smtps://`
 * is TLS from the start, `smtp://` upgrades with STARTTLS, required in production (a server
 * without it is refused rather than sent a transcript in clear). Every delivery is bounded by
 * `timeoutMs`. `outboxDir` (development) writes each mail as an `.eml` file instead.
 */
export function createMailer(
  config: GatewayConfig['mail'],
  options: { production: boolean; logger: Logger },
): Mailer | undefined {
  if (!config) return undefined;
  if (config.outboxDir) return outboxMailer(config.from, resolve(config.outboxDir), options.logger);
  if (!config.smtpUrl) return undefined;
  const transport = nodemailer.createTransport(
    smtpOptions(config.smtpUrl, config.timeoutMs, options.production),
  );
  return {
    async send(mail) {
      await transport.sendMail({ ...mail, from: config.from });
    },
    close: () => transport.close(),
  };
}

/**
 * nodemailer's SMTP options from `smtpUrl` (`smtp[s]://[user[:password]@]host[:port]`, no query:
 * the schema refuses one), read here rather than by nodemailer so no URL parameter can set
 * anything else: never a log of the mail (address and transcript), and in production TLS
 * required with its certificate checked.
 */
export function smtpOptions(smtpUrl: string, timeoutMs: number, production: boolean) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(user ? { auth: { user, pass: decodeURIComponent(url.password) } } : {}),
    requireTLS: production,
    ...(production ? { tls: { rejectUnauthorized: true } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  };
}

/** Development: each mail as an RFC 5322 file in `dir` (the log names the file, not the address). */
function outboxMailer(from: string, dir: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail({ ...mail, from });
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${newId()}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      logger.info({ file }, 'e-mail written to the development outbox (mail.outboxDir)');
    },
    close: () => transport.close(),
  };
}
