import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { checkMethod, notFound, readOnlyGet, routeMethods } from '../../../src/http/allowed-methods.js';
import { exactRouter } from '../../../src/http/exact-router.js';

/** An app shaped like the gateway's: routes in routers mounted under a base, each exact. */
function app() {
  const application = express();
  application.set('case sensitive routing', true);
  application.use(checkMethod);
  const tenant = exactRouter();
  const first = exactRouter();
  first.get('/consent', (_req, res) => res.send('page'));
  const second = exactRouter();
  second.post('/consent', (_req, res) => res.send('done'));
  second.get('/passes', (_req, _res, next) => next());
  readOnlyGet(second, '/keys', (_req, res) => res.send('keys'));
  tenant.use(first, second);
  application.use('/t/demo', tenant);
  application.use(notFound);
  application.use(((err, _req, res, _next) => {
    if (err.allow) res.setHeader('Allow', err.allow.join(', '));
    res.status(err.status ?? 500).send(err.code);
  }) as express.ErrorRequestHandler);
  return application;
}

describe('routeMethods', () => {
  it('gathers the methods of every router mounted on the path, as the router matches it', () => {
    const application = app();
    expect([...routeMethods(application.router, '/t/demo/consent')].sort()).toEqual(['GET', 'POST']);
    expect([...routeMethods(application.router, '/t/demo/keys')].sort()).toEqual(['GET', 'HEAD']);
    expect(routeMethods(application.router, '/t/demo/Consent').size).toBe(0);
    expect(routeMethods(application.router, '/t/democonsent').size).toBe(0);
    expect(routeMethods(application.router, '/t/demo/nothing').size).toBe(0);
  });
});

describe('notFound', () => {
  it('answers 405 with Allow for a method the path does not take', async () => {
    const answer = await request(app()).put('/t/demo/consent');
    expect([answer.status, answer.headers.allow]).toEqual([405, 'GET, OPTIONS, POST']);
  });

  it('answers 404, not 405, when a route of the method passed the request on', async () => {
    const answer = await request(app()).get('/t/demo/passes');
    expect([answer.status, answer.headers.allow]).toEqual([404, undefined]);
  });
});

describe('checkMethod', () => {
  it('answers HEAD only at a readOnlyGet route', async () => {
    expect((await request(app()).head('/t/demo/keys')).status).toBe(200);
    const refused = await request(app()).head('/t/demo/consent');
    expect([refused.status, refused.headers.allow]).toEqual([405, 'GET, OPTIONS, POST']);
  });

  it('answers OPTIONS with 204 and Allow on a routed path, and leaves others to 404', async () => {
    const answer = await request(app()).options('/t/demo/consent');
    expect([answer.status, answer.headers.allow]).toEqual([204, 'GET, OPTIONS, POST']);
    expect((await request(app()).options('/t/demo/nothing')).status).toBe(404);
  });
});
