import type { Duplex } from 'node:stream';
import { type RawData, WebSocket } from 'ws';
import type { z } from 'zod';
import type { Language } from '../config/schema.js';
import { isGatewayError } from '../http/errors.js';
import { newId } from '../runtime/ids.js';
import type { Logger } from '../runtime/logger.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import type { ChatBus } from './chat-bus.js';
import { CLOSE_CODES, type CloseCode } from './close-codes.js';
import type { ConversationService } from './conversation-service.js';
import { CHAT_ERROR_CODES, type ChatErrorCode, CLIENT_ID, parseFrame } from './protocol.js';
import type { ChatRateLimits } from './rate-limits.js';
import type { WriteBatch } from './write-batch.js';

/** The tenth invalid frame closes the connection (4400). */
export const MAX_INVALID_FRAMES = 10;
/** A client that does not read its frames is cut off beyond this much unsent data. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** First wait before a failed resync runs again ({@link ChatConnection.enqueueUntilDone}); it doubles each time. */
export const RESYNC_RETRY_MS = 1_000;
/** The longest wait between two runs of a failed resync. */
const RESYNC_RETRY_MAX_MS = 30_000;

/** Codes a handler's `GatewayError` may carry to the client; anything else is `internal_error`. */
const CLIENT_ERROR_CODES = new Set<string>(CHAT_ERROR_CODES.filter((code) => code !== 'internal_error'));

/**
 * A frame many sockets send alike (a tenant's queue to every console of it): serialised once,
 * by the first socket that sends it, and written by every socket as those same bytes. Without
 * it each console stringified the same whole list on its own, so a queue change cost as many
 * serialisations as consoles were open. Build one only for a frame that is the same for every
 * socket it goes to; per-socket differences belong in frames of their own.
 */
export class SharedFrame<Out> {
  readonly frame: Out;
  #data: Buffer | undefined;

  constructor(frame: Out) {
    this.frame = frame;
  }

  /** The frame as UTF-8 JSON, serialised at the first call. */
  get data(): Buffer {
    this.#data ??= Buffer.from(JSON.stringify(this.frame));
    return this.#data;
  }
}

/** What both chat sockets (visitor and agent) are built from. */
export interface ChatSocketOptions {
  ws: WebSocket;
  /** The socket under `ws` (from the upgrade), whose writes {@link ChatSocketOptions.batch} holds. */
  socket: Duplex;
  /** Gathers the frames of one event-loop turn into one write per socket. */
  batch: WriteBatch;
  tenant: TenantContext;
  /** The session's id: key of the per-session frame limit. */
  sessionId: string;
  lang: Language;
  service: ConversationService;
  bus: ChatBus;
  limits: ChatRateLimits;
  logger: Logger;
  /** First wait before a failed resync runs again. Default {@link RESYNC_RETRY_MS}. */
  resyncRetryMs?: number;
}

/** The part of a socket's options its {@link ChatConnection} keeps. */
export function pipelineOptions(options: ChatSocketOptions) {
  const { ws, socket, batch, sessionId, limits, logger, resyncRetryMs = RESYNC_RETRY_MS } = options;
  return { ws, socket, batch, sessionId, limits, logger, resyncRetryMs };
}

/** What a {@link ChatConnection} needs: a socket's options plus its frame schema and handler. */
export interface ChatConnectionOptions<In>
  extends Pick<
    ChatSocketOptions,
    'ws' | 'socket' | 'batch' | 'sessionId' | 'limits' | 'logger' | 'resyncRetryMs'
  > {
  schema: z.ZodType<In>;
  /** Handles one valid frame; frames of a connection are handled one at a time, in order. */
  onFrame: (frame: In) => Promise<void>;
}

/**
 * The frame pipeline both chat sockets share: rate limits first (before any parsing), then
 * JSON + strict schema, then the handler, strictly in arrival order so a conversation's
 * messages get their `seq` in the order they were sent. Errors become `error` frames; the
 * connection survives everything except persistent abuse (4400, 4429).
 */
export class ChatConnection<In, Out extends { type: string }> {
  /** Connection id: rate-limit key and the `origin` of the events it causes. */
  readonly id = newId();
  readonly ws: WebSocket;
  readonly #options: ChatConnectionOptions<In> & { resyncRetryMs: number };
  #invalid = 0;
  /** Tasks waiting their turn (frames and the events queued behind them). */
  readonly #tasks: Array<() => void | Promise<void>> = [];
  #draining = false;
  /** The current busy period's loop ({@link settled}). */
  #drained: Promise<void> = Promise.resolve();
  #closing = false;
  /** Past `chat.maxDropped`: the close is queued and no frame is read any more. */
  #overLimit = false;
  /** A failed resync waiting to run again. */
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: ChatConnectionOptions<In>) {
    // Only what the pipeline uses: a socket's full options are kept once, by the socket.
    const { ws, socket, batch, sessionId, limits, logger, schema, onFrame } = options;
    const resyncRetryMs = options.resyncRetryMs ?? RESYNC_RETRY_MS;
    this.#options = { ws, socket, batch, sessionId, limits, logger, schema, onFrame, resyncRetryMs };
    this.ws = options.ws;
    this.ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
    // ws reports protocol violations (oversized frame → 1009, invalid UTF-8 → 1007) as an
    // 'error' and closes the socket itself; unhandled, the event would crash the process.
    this.ws.on('error', (error: Error & { code?: string }) => {
      this.#options.logger.info({ connection: this.id, wsError: error.code }, 'chat socket protocol error');
    });
  }

  /** Whether the socket can still be written to. */
  get open(): boolean {
    return !this.#closing && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends `frame`; `written`, when given, runs once it has left for the client (handed to the
   * kernel), never when the connection is gone.
   */
  send(frame: Out, written?: () => void): void {
    if (!this.#writable()) return;
    if (written === undefined) this.ws.send(JSON.stringify(frame));
    else
      this.ws.send(JSON.stringify(frame), (error) => {
        if (!error) written();
      });
  }

  /**
   * Sends a frame that other sockets send alike, as the bytes the first of them serialised (see
   * {@link SharedFrame}); `written` as for {@link send}.
   */
  sendShared(shared: SharedFrame<Out>, written?: () => void): void {
    if (!this.#writable()) return;
    // A Buffer goes out as it is (ws copies nothing unmasked); `binary: false` keeps it a text frame.
    if (written === undefined) this.ws.send(shared.data, { binary: false });
    else
      this.ws.send(shared.data, { binary: false }, (error) => {
        if (!error) written();
      });
  }

  /** Whether a frame may be written now; holds the socket's writes for this turn's batch if so. */
  #writable(): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#options.logger.warn({ connection: this.id }, 'chat client not reading; terminated');
      this.ws.terminate();
      return false;
    }
    this.#options.batch.hold(this.#options.socket);
    return true;
  }

  /**
   * An `error` frame. `message` is a short English explanation for developers; `refs` name the
   * frame it answers (see {@link frameRefs}): `clientId` the client's `message` frame, so a client
   * with several in flight knows which one to resend; `conversationId` the conversation the frame
   * named, so a console that claimed or closed several at once knows which one was refused; `id`
   * the offline message of `open-offline-message` and `mark-offline-message`; and `field` the one
   * field of the frame that was refused, which a client's form marks.
   */
  error(code: ChatErrorCode, message: string, refs: ErrorRefs = {}): void {
    const frame = { type: 'error', code, message, ...refs };
    this.send(frame as unknown as Out);
  }

  close(code: CloseCode, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.ws.close(code, reason);
  }

  /**
   * Runs `task` after the frames already received (used for events that must not overtake
   * them). Tasks run one at a time, in order, starting in a microtask (never inside the caller,
   * which may be the bus in the middle of a publish); a failed task answers with an error frame.
   * A task with nothing to wait for (forwarding a message) may return nothing: the loop goes on
   * without a promise for it.
   */
  enqueue(task: () => void | Promise<void>): void {
    this.#tasks.push(task);
    if (this.#draining) return;
    this.#draining = true;
    // A promise job rather than `queueMicrotask`, which wraps every call in an AsyncResource.
    this.#drained = Promise.resolve().then(this.#drain);
  }

  /**
   * Runs the socket's opening `task` (reading and sending its `welcome`) as {@link enqueue}
   * does. When it fails (the store unavailable for now) the socket closes with 1013: without
   * its welcome a client has nothing to show or resume from, and reconnects later, as after
   * 1001, rather than waiting on a socket that will never start.
   */
  enqueueOpening(task: () => Promise<void>): void {
    this.enqueue(() =>
      task().catch((error: unknown) => {
        if (!this.open) return;
        this.#options.logger.warn({ connection: this.id, err: error }, 'chat welcome failed; closed');
        this.close(CLOSE_CODES.tryAgainLater, 'try again later');
      }),
    );
  }

  /**
   * Runs an event's `task` (something another socket or instance did, to be shown to this
   * client) as {@link enqueue} does. When it fails, a read of the store timing out or the store
   * coming back, `socket` resyncs instead of the client getting an `error` frame: the client did
   * nothing, and what the event was to show must still reach it, which a resync (run with
   * {@link enqueueUntilDone}) sees to. An event with nothing to read (a message forwarded) costs
   * no promise; the socket itself is passed rather than a function, which every socket would
   * keep for its whole life.
   */
  enqueueEvent(task: () => void | Promise<void>, socket: { resync(): void }): void {
    this.enqueue(() => {
      const pending = task();
      if (pending === undefined) return;
      return pending.catch((error: unknown) => {
        if (!this.open) return;
        this.#options.logger.warn({ connection: this.id, err: error }, 'chat event failed; resyncing');
        socket.resync();
      });
    });
  }

  /**
   * Runs `task` as {@link enqueue} does, and when it fails runs it again after a wait that
   * doubles each time (up to 30 s), until it succeeds or the connection closes. For a resync:
   * it tells the client what it missed while events between instances were interrupted, and a
   * store still coming back (the instance's own connection to Redis reconnecting after its
   * subscriber, a command timing out) must not lose that for good. Nothing of it is the client's
   * doing, so a failure is logged, not sent as an `error` frame. A new call replaces a waiting
   * retry (it reads everything again anyway).
   */
  enqueueUntilDone(task: () => Promise<void>): void {
    this.#cancelRetry();
    this.#runUntilDone(task, 0);
  }

  #runUntilDone(task: () => Promise<void>, attempt: number): void {
    if (!this.open) return;
    this.enqueue(async () => {
      try {
        await task();
      } catch (error) {
        if (!this.open) return;
        const waitMs = Math.min(this.#options.resyncRetryMs * 2 ** attempt, RESYNC_RETRY_MAX_MS);
        this.#options.logger.warn(
          { connection: this.id, err: error, retryInMs: waitMs },
          'chat resync failed; trying again',
        );
        this.#cancelRetry();
        const timer = setTimeout(() => {
          if (this.#retryTimer !== timer) return;
          this.#retryTimer = undefined;
          this.#runUntilDone(task, attempt + 1);
        }, waitMs);
        // Never what keeps the process alive; a closed connection drops it when it fires.
        timer.unref();
        this.#retryTimer = timer;
        return;
      }
      // Done: it read everything, so a retry of an earlier failure is not needed any more.
      this.#cancelRetry();
    });
  }

  #cancelRetry(): void {
    if (this.#retryTimer === undefined) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /**
   * Resolves when the task running now, and those queued behind it, are done (a closed
   * connection skips the frames still queued): a message being stored is stored and published.
   */
  settled(): Promise<void> {
    return this.#drained;
  }

  // One loop per busy period instead of a `then`/`catch` pair of promises per task.
  readonly #drain = async (): Promise<void> => {
    try {
      for (let task = this.#tasks.shift(); task !== undefined; task = this.#tasks.shift()) {
        try {
          const pending = task();
          if (pending) await pending;
        } catch (error) {
          this.#failed(error);
        }
      }
    } finally {
      this.#draining = false;
    }
  };

  #receive(data: RawData, isBinary: boolean): void {
    if (this.#closing || this.#overLimit) return;
    // Counted on arrival, whatever is still queued before it.
    if (!this.#options.limits.allowFrame(this.id, this.#options.sessionId)) {
      this.#dropped(isBinary ? undefined : data);
      return;
    }
    // ws has already checked UTF-8 (1007 otherwise); binary frames are not part of the protocol.
    const raw = isBinary ? undefined : rawText(data);
    this.enqueue(async () => {
      if (this.#closing) return;
      const frame = raw === undefined ? undefined : parseFrame(raw, this.#options.schema);
      if (frame === undefined) {
        this.#invalidFrame(raw);
        return;
      }
      try {
        await this.#options.onFrame(frame);
      } catch (error) {
        this.#failed(error, frameRefs(frame));
      }
    });
  }

  /**
   * A frame over the rate limit, counted and named on arrival rather than when its turn comes:
   * queued as it was, with its text, a flood arriving while an earlier frame waited on the store
   * (Redis slow, or hung until its watchdog) was all kept in memory, 3,000 frames of 30 KB taking
   * 90 MB. Now only the answer waits its turn, without the frame, and past `chat.maxDropped` the
   * close is queued and nothing more is read: the frames before it are still answered (an ack for
   * what they stored), in order, and the close follows them.
   */
  #dropped(data: RawData | undefined): void {
    if (!this.#options.limits.toleratesDrop(this.id)) {
      this.#overLimit = true;
      this.enqueue(() => {
        if (this.#closing) return;
        this.#options.logger.warn({ connection: this.id }, 'chat client over its rate limit; closed');
        this.close(CLOSE_CODES.rateLimited, 'rate limit exceeded');
      });
      return;
    }
    // Named, so the client marks that very message "not sent" rather than "sending…" for ever.
    // Parsed only here: at most `chat.maxDropped` frames per window before the close above.
    const refs = rawFrameRefs(data === undefined ? undefined : rawText(data));
    this.enqueue(() => {
      if (this.#closing) return;
      this.error('rate_limited', 'Too many messages; this one was dropped.', refs);
    });
  }

  #invalidFrame(raw: string | undefined): void {
    this.#invalid += 1;
    // Named like any other refusal: a `message` frame with blank text is refused as invalid, and
    // its client must be able to mark that very message "not sent". Parsed only here: at most
    // MAX_INVALID_FRAMES frames per connection before the close below.
    this.error(
      'invalid_message',
      'The frame is not valid JSON of a known type with exactly its fields.',
      rawFrameRefs(raw),
    );
    if (this.#invalid >= MAX_INVALID_FRAMES) {
      this.#options.logger.info({ connection: this.id }, 'too many invalid chat frames; closed');
      this.close(CLOSE_CODES.tooManyInvalid, 'too many invalid messages');
    }
  }

  #failed(error: unknown, refs: ErrorRefs = {}): void {
    if (isGatewayError(error) && CLIENT_ERROR_CODES.has(error.code)) {
      this.error(error.code as ChatErrorCode, error.message, {
        ...refs,
        ...(error.field === undefined ? {} : { field: error.field }),
      });
      return;
    }
    this.#options.logger.error({ err: error, connection: this.id }, 'chat frame failed');
    this.error('internal_error', 'Something went wrong; please try again.', refs);
  }
}

/** What an `error` frame names of the frame it answers, besides its code. */
export interface ErrorRefs {
  clientId?: string;
  conversationId?: string;
  id?: string;
  field?: string;
}

/** Frames whose `id` names an offline message. */
const OFFLINE_MESSAGE_FRAMES = new Set(['open-offline-message', 'mark-offline-message']);

/**
 * The fields that tell a client which of its frames an `error` answers: the `clientId` of a
 * `message` frame, the `conversationId` of any frame that names one, the `id` of an offline
 * message's frame. Only a value of the protocol's id shape is repeated (a frame is refused for a
 * malformed one, which the client then cannot match anyway), so nothing else a client sent is
 * echoed back.
 */
function frameRefs(frame: unknown): ErrorRefs {
  if (typeof frame !== 'object' || frame === null) return {};
  const { type, clientId, conversationId, id } = frame as Record<string, unknown>;
  const refs: ErrorRefs = {};
  if (type === 'message' && isId(clientId)) refs.clientId = clientId;
  if (isId(conversationId)) refs.conversationId = conversationId;
  if (typeof type === 'string' && OFFLINE_MESSAGE_FRAMES.has(type) && isId(id)) refs.id = id;
  return refs;
}

/** {@link frameRefs} of a frame still as received: refused (invalid) or dropped (rate limit). */
function rawFrameRefs(raw: string | undefined): ErrorRefs {
  if (raw === undefined) return {};
  try {
    // Only the named own fields are read, so a `__proto__` key (an own property) changes nothing.
    return frameRefs(JSON.parse(raw));
  } catch {
    return {};
  }
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID.test(value);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}
