import type { Persona } from '../../idp-mock/index.js';

/**
 * A listener that could not bind its port: which setting chose the port and how to override
 * it, so start-up ends with one line instead of a stack trace.
 */
export class PortInUseError extends Error {
  readonly setting: string;
  readonly port: number;
  readonly envVar: string;
  constructor(what: string, setting: string, port: number, envVar: string) {
    super(
      `${what} cannot listen: port ${port} is already in use (setting "${setting}"; choose another with ${envVar}=<port>, e.g. ${envVar}=${port + 10}).`,
    );
    this.name = 'PortInUseError';
    this.setting = setting;
    this.port = port;
    this.envVar = envVar;
  }
}

/** Whether a listen error is "address in use" (or, on some systems, "access denied" for a port). */
export function isPortTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

/** What the banner lists for one tenant. */
export interface BannerTenant {
  name: string;
  baseUrl: string;
  /** The staff console is only there when the tenant has a staff login. */
  hasStaff: boolean;
  /** Mock issuer ids of the citizen providers, with the provider's label. */
  mockProviders: Array<{ label: string; issuerId: string }>;
  /** Mock issuer id of the staff login, when it is a mock one. */
  mockStaffIssuer?: string;
  id: string;
}

/** Everything the start-up banner prints. */
export interface BannerInput {
  production: boolean;
  tenants: BannerTenant[];
  mockIdp?: { baseUrl: string; personas: readonly Persona[] };
}

/**
 * The short text printed once the gateway listens: the pages to open, the mock IdP and which
 * test personas to log in as. It is the one thing a newcomer needs to read after `npm start`;
 * the JSON log lines that follow are for operators.
 */
export function startUpBanner(input: BannerInput): string {
  const lines = [
    '',
    `  eID chat gateway is running (${input.production ? 'production' : 'development'})`,
    '',
  ];
  for (const tenant of input.tenants) {
    if (input.tenants.length > 1) lines.push(`  ${tenant.name}`);
    lines.push(`  Landing page:   ${tenant.baseUrl}/`);
    lines.push(`  Visitor chat:   ${tenant.baseUrl}/chat`);
    if (tenant.hasStaff) lines.push(`  Agent console:  ${tenant.baseUrl}/agent`);
    if (input.mockIdp) {
      const citizens = citizenPersonas(tenant, input.mockIdp.personas);
      if (citizens.length > 0) lines.push(`  As a citizen, log in as ${citizens.join('; ')}`);
      const staff = staffPersonas(tenant, input.mockIdp.personas);
      // The security officer has no console: at /agent they get the staff tools (deletion, legal hold).
      if (staff.length > 0) lines.push(`  As staff (console, staff tools), log in as ${staff.join(', ')}`);
    }
    lines.push('');
  }
  if (input.mockIdp) lines.push(`  Mock IdP (synthetic test identities only): ${input.mockIdp.baseUrl}/`, '');
  lines.push('  Stop with Ctrl+C; PORT and MOCK_IDP_PORT choose other ports.', '');
  return `${lines.join('\n')}\n`;
}

/**
 * One persona per provider: the first built-in whose id does not mark it as a negative test
 * (the "invalid id" personas exist to be refused), named with the providers it works at.
 */
function citizenPersonas(tenant: BannerTenant, personas: readonly Persona[]): string[] {
  const byPersona = new Map<string, { label: string; providers: string[] }>();
  for (const provider of tenant.mockProviders) {
    const persona = personas.find(
      (p) => p.issuers.includes(provider.issuerId) && !p.id.startsWith('invalid-') && !isStaff(p),
    );
    if (!persona) continue;
    const entry = byPersona.get(persona.id) ?? { label: persona.label, providers: [] };
    entry.providers.push(provider.label);
    byPersona.set(persona.id, entry);
  }
  return [...byPersona.values()].map((e) => `"${e.label}" (${e.providers.join(', ')})`);
}

/** The staff personas of this tenant, in the mock's order (agent first). */
function staffPersonas(tenant: BannerTenant, personas: readonly Persona[]): string[] {
  const issuer = tenant.mockStaffIssuer;
  if (issuer === undefined) return [];
  return (
    personas
      .filter((p) => p.issuers.includes(issuer) && isStaff(p))
      // A staff persona without a `tenant` claim belongs to the mock's default tenant, "demo".
      .filter((p) => (p.claims.tenant ?? 'demo') === tenant.id)
      .map((p) => `"${p.label}"`)
  );
}

function isStaff(persona: Persona): boolean {
  return Array.isArray(persona.claims.roles);
}

/**
 * The development-only relaxations as one log line's fields: the setting keys (each key once;
 * the mock issuers of many providers collapse to one `…issuer` entry per tenant section).
 * The full sentences stay available at debug level.
 */
export function relaxedSettings(warnings: readonly string[]): string[] {
  const keys = warnings.map((w) => (w.split(':')[0] ?? w).replace(/\.providers\.\d+\./, '.providers.*.'));
  return [...new Set(keys)];
}
