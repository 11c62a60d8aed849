import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { smtpOptions } from '../../../src/runtime/mailer.js';
import { testTenant } from '../../helpers/test-gateway.js';

describe('smtpOptions (mail.smtpUrl)', () => {
  it('reads host, port, TLS and credentials; in production TLS is required and its certificate checked; never a log', () => {
    expect(smtpOptions('smtps://chat%40kommune.no:p%40ss@smtp.example:2465', 5_000, true)).toEqual({
      host: 'smtp.example',
      port: 2465,
      secure: true,
      auth: { user: 'chat@kommune.no', pass: 'p@ss' },
      requireTLS: true,
      tls: { rejectUnauthorized: true },
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 5_000,
      logger: false,
      debug: false,
    });
    expect(smtpOptions('smtp://127.0.0.1', 1_000, false)).toMatchObject({
      host: '127.0.0.1',
      port: 587,
      secure: false,
      requireTLS: false,
      logger: false,
    });
  });

  it('refuses a URL with parameters, which nodemailer would read (TLS checks off, mails logged)', () => {
    const config = (smtpUrl: string) => ({
      mockIdp: { enabled: true },
      mail: { from: 'chat@test.invalid', smtpUrl },
      tenants: [testTenant()],
    });
    for (const url of [
      'smtp://mail.example:587?tls.rejectUnauthorized=false',
      'smtp://mail.example?logger=true&debug=true',
      'smtp://mail.example/#x',
      'http://mail.example',
      'smtp://user:50%off@mail.example:587',
      'smtp://mail.example:99999',
      'smtp://mail.example:465',
    ])
      expect(() => parseConfig(config(url), { env: {}, source: 'test' }), url).toThrow(/mail.smtpUrl/);
    expect(
      parseConfig(config('smtps://u:p@mail.example:465'), { env: {}, source: 'test' }).config.mail,
    ).toMatchObject({
      smtpUrl: 'smtps://u:p@mail.example:465',
    });
  });
});
