import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { answerMeasurements } from './server-protocol.js';

/**
 * The thinnest JSON relay `ws` allows, the yardstick of the benchmark: a visitor socket
 * (`/relay?role=visitor&conversation=C`) and agent sockets (`/relay?role=agent&agent=N`); a
 * visitor frame is parsed and re-serialised to the agent that owns its conversation
 * (`{ type: 'own', conversationId }` from an agent), an agent frame to the conversation's visitor.
 * Same topology as the gateway round trip, none of its work (sessions, validation, store).
 */
const visitors = new Map<string, WebSocket>();
const owners = new Map<string, WebSocket>();
const server = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 32 * 1024 });
wss.on('connection', (ws, req) => {
  const params = new URL(req.url ?? '/', 'http://relay.invalid').searchParams;
  const conversation = params.get('conversation');
  if (params.get('role') === 'visitor' && conversation) {
    visitors.set(conversation, ws);
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { clientId: string; text: string };
      owners
        .get(conversation)
        ?.send(
          JSON.stringify({ type: 'message', conversationId: conversation, message: { text: frame.text } }),
        );
    });
    ws.on('close', () => visitors.delete(conversation));
    return;
  }
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; conversationId: string; text?: string };
    if (frame.type === 'own') {
      owners.set(frame.conversationId, ws);
      return;
    }
    visitors.get(frame.conversationId)?.send(
      JSON.stringify({
        type: 'message',
        conversationId: frame.conversationId,
        message: { from: 'agent', text: frame.text },
      }),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
answerMeasurements();
