import { z } from 'zod';
import { type Country, ISSUER_AUDIENCE, ISSUER_IDS, isIssuerId } from './issuer-ids.js';

/**
 * A test identity someone can log in as. Every persona is synthetic: the national identity
 * numbers use the test ranges (Norwegian month + 80, Finnish individual numbers 900–999), and
 * names and e-mail addresses are placeholders.
 *
 * `claims` is country-neutral; each issuer turns it into its own shape (see `issuer-profiles.ts`).
 * A persona is either a citizen or a staff member, decided by its issuers.
 *
 * Citizen claims:
 * - `given_name`, `family_name` (required)
 * - `birthdate` (required, `YYYY-MM-DD`)
 * - `country` (required, `NO` | `FI`)
 * - `national_id` (required): fødselsnummer / D-number (11 digits) or henkilötunnus; only the
 *   format is checked, so checksum-invalid numbers remain possible for negative tests
 * - `satu` (optional, FI): Finnish electronic identification number, sent by `ftn-fi`
 * - `amr` (optional): ID-porten authentication methods, default `["TestID"]`
 * - `locale` (optional): ID-porten locale, default `nb`
 *
 * Staff claims:
 * - `name`, `email` (required)
 * - `roles` (required): any of `agent`, `supervisor`, `admin`, `security`
 * - `preferred_username` (optional, default: `email`)
 * - `tenant` (optional, default `demo`)
 *
 * Both:
 * - `sub` (optional): fixed subject; default a stable UUID derived from issuer and persona id
 * - `extra` (optional): claims copied verbatim over the shaped ones at every issuer of the persona
 *   (a `null` value removes a claim), for tests of unusual or missing claims
 */
export interface Persona {
  /** Stable kebab-case id; also what `login_hint` takes. */
  id: string;
  /** What the login page shows. */
  label: string;
  /** Issuer ids this persona can log in at. */
  issuers: string[];
  /** Country-neutral claims, see the interface documentation. */
  claims: Record<string, unknown>;
}

/** Roles a staff persona can hold, as the gateway's staff login reads them from `roles`. */
export const STAFF_ROLES = ['agent', 'supervisor', 'admin', 'security'] as const;

/** A staff role. */
export type StaffRole = (typeof STAFF_ROLES)[number];

const extraClaims = z.record(z.string(), z.unknown());
const subject = z.string().min(1);

const citizenClaimsSchema = z.strictObject({
  given_name: z.string().min(1),
  family_name: z.string().min(1),
  birthdate: z.iso.date(),
  country: z.enum(['NO', 'FI']),
  national_id: z.string(),
  satu: z.string().min(1).optional(),
  amr: z.array(z.string().min(1)).min(1).optional(),
  locale: z.string().min(1).optional(),
  sub: subject.optional(),
  extra: extraClaims.optional(),
});

const staffClaimsSchema = z.strictObject({
  name: z.string().min(1),
  email: z.email(),
  roles: z.array(z.enum(STAFF_ROLES)),
  preferred_username: z.string().min(1).optional(),
  tenant: z.string().min(1).optional(),
  sub: subject.optional(),
  extra: extraClaims.optional(),
});

/** Citizen claims after validation. */
export type CitizenClaims = z.infer<typeof citizenClaimsSchema>;

/** Staff claims after validation. */
export type StaffClaims = z.infer<typeof staffClaimsSchema>;

/** A persona whose claims have been validated for the kind of issuers it belongs to. */
export type ResolvedPersona =
  | { kind: 'citizen'; persona: Persona; claims: CitizenClaims }
  | { kind: 'staff'; persona: Persona; claims: StaffClaims };

// Format only: a checksum check here would make the deliberately invalid personas impossible.
const NATIONAL_ID_FORMAT: Readonly<Record<Country, RegExp>> = {
  NO: /^\d{11}$/,
  FI: /^\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]$/,
};

/**
 * Schema of one persona, used (through `mockIdpConfigSchema`) for `MockIdpOptions.personas` and
 * for the standalone config file alike, so a bad persona is reported the same way everywhere.
 */
export const personaSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "kari-nordmann"'),
    label: z.string().min(1),
    issuers: z.array(z.enum(ISSUER_IDS)).min(1),
    claims: z.record(z.string(), z.unknown()),
  })
  .superRefine((persona, ctx) => {
    const kinds = new Set(persona.issuers.map((issuer) => ISSUER_AUDIENCE[issuer].kind));
    if (kinds.size > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuers'],
        message: 'a persona is either a citizen or staff: do not mix "staff" with citizen issuers',
      });
      return;
    }
    if (kinds.has('staff')) {
      addNestedIssues(ctx, staffClaimsSchema.safeParse(persona.claims));
      return;
    }
    const parsed = citizenClaimsSchema.safeParse(persona.claims);
    addNestedIssues(ctx, parsed);
    const country = z.enum(['NO', 'FI']).safeParse(persona.claims.country).data;
    if (country === undefined) return;
    const nationalId = persona.claims.national_id;
    if (typeof nationalId === 'string' && !NATIONAL_ID_FORMAT[country].test(nationalId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['claims', 'national_id'],
        message: `not the format of a ${country === 'NO' ? 'fødselsnummer or D-number' : 'henkilötunnus'}`,
      });
    }
    for (const [index, issuer] of persona.issuers.entries()) {
      const audience = ISSUER_AUDIENCE[issuer];
      if (audience.kind === 'citizen' && !audience.countries.includes(country)) {
        ctx.addIssue({
          code: 'custom',
          path: ['issuers', index],
          message: `issuer "${issuer}" only accepts citizens of ${audience.countries.join(', ')}, not ${country}`,
        });
      }
    }
  });

function addNestedIssues(
  ctx: z.RefinementCtx,
  result: { success: true } | { success: false; error: z.ZodError },
): void {
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', path: ['claims', ...issue.path], message: issue.message });
  }
}

/**
 * The built-in personas: citizens of Norway and Finland (including one checksum-invalid number
 * per country for negative tests) and the staff of the demo organisation.
 */
export const BUILTIN_PERSONAS: readonly Persona[] = deepFreeze([
  {
    id: 'kari-nordmann',
    label: 'Kari Nordmann',
    issuers: ['bankid-no', 'signicat', 'idporten'],
    claims: {
      given_name: 'Kari',
      family_name: 'Nordmann',
      birthdate: '1985-03-12',
      country: 'NO',
      // Synthetic fødselsnummer: month 03 + 80; individual number 400.
      national_id: '12838540056',
      amr: ['BankID'],
    },
  },
  {
    id: 'ola-nordmann',
    label: 'Ola Nordmann (D-number)',
    issuers: ['bankid-no', 'signicat', 'idporten'],
    claims: {
      given_name: 'Ola',
      family_name: 'Nordmann',
      birthdate: '1967-10-07',
      country: 'NO',
      // Synthetic D-number: day 07 + 40, month 10 + 80.
      national_id: '47906701517',
      amr: ['TestID'],
    },
  },
  {
    id: 'invalid-id-no',
    label: 'Nora Feilnummer — invalid id (test)',
    issuers: ['bankid-no', 'signicat', 'idporten'],
    claims: {
      given_name: 'Nora',
      family_name: 'Feilnummer',
      birthdate: '1985-03-12',
      country: 'NO',
      // Kari Nordmann's number with the last control digit changed: fails k2 on purpose.
      national_id: '12838540057',
      amr: ['TestID'],
    },
  },
  {
    id: 'matti-meikalainen',
    label: 'Matti Meikäläinen',
    issuers: ['ftn-fi', 'signicat'],
    claims: {
      given_name: 'Matti',
      family_name: 'Meikäläinen',
      birthdate: '1994-05-01',
      country: 'FI',
      // Individual number 903: an artificial test code.
      national_id: '010594Y9032',
    },
  },
  {
    id: 'maija-meikalainen',
    label: 'Maija Meikäläinen',
    issuers: ['ftn-fi', 'signicat'],
    claims: {
      given_name: 'Maija',
      family_name: 'Meikäläinen',
      birthdate: '1988-03-15',
      country: 'FI',
      // Individual number 914: an artificial test code; 150388914 mod 31 = 9.
      national_id: '150388-9149',
      // Synthetic SATU (8 digits, check character from the hetu table).
      satu: '99912345V',
    },
  },
  {
    id: 'invalid-id-fi',
    label: 'Virve Virheellinen — invalid id (test)',
    issuers: ['ftn-fi', 'signicat'],
    claims: {
      given_name: 'Virve',
      family_name: 'Virheellinen',
      birthdate: '1988-03-15',
      country: 'FI',
      // Maija Meikäläinen's number with a wrong check character (should be 9).
      national_id: '150388-914A',
    },
  },
  {
    id: 'alex-agent',
    label: 'Alex Agent (agent)',
    issuers: ['staff'],
    claims: { name: 'Alex Agent', email: 'alex.agent@demo.example', roles: ['agent'] },
  },
  {
    id: 'siri-supervisor',
    label: 'Siri Supervisor (supervisor)',
    issuers: ['staff'],
    claims: { name: 'Siri Supervisor', email: 'siri.supervisor@demo.example', roles: ['supervisor'] },
  },
  {
    id: 'ada-admin',
    label: 'Ada Admin (admin)',
    issuers: ['staff'],
    claims: { name: 'Ada Admin', email: 'ada.admin@demo.example', roles: ['admin'] },
  },
  {
    id: 'sigurd-security',
    label: 'Sigurd Security (security officer)',
    issuers: ['staff'],
    claims: { name: 'Sigurd Security', email: 'sigurd.security@demo.example', roles: ['security'] },
  },
  {
    id: 'otto-other-tenant',
    label: 'Otto Other (agent, tenant "other")',
    issuers: ['staff'],
    claims: {
      name: 'Otto Other',
      email: 'otto.other@other.example',
      roles: ['agent'],
      tenant: 'other',
    },
  },
] satisfies Persona[]);

/** Frozen all the way down, so that no test can change a built-in for the tests after it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const nested of Object.values(value)) deepFreeze(nested);
    Object.freeze(value);
  }
  return value;
}

/**
 * Merges personas over the built-ins: a persona with a built-in's id replaces it in place, the
 * others are appended in the order given. `extra` must already have passed `personaSchema` with
 * unique ids, as `parseMockIdpConfig` ensures for options and config file alike.
 */
export function resolvePersonas(extra: readonly Persona[] = []): ResolvedPersona[] {
  const byId = new Map<string, Persona>(BUILTIN_PERSONAS.map((persona) => [persona.id, persona]));
  for (const persona of extra) byId.set(persona.id, persona);
  return [...byId.values()].map(resolvePersona);
}

function resolvePersona(persona: Persona): ResolvedPersona {
  const issuer = persona.issuers.find(isIssuerId);
  // Validated by `personaSchema` (built-ins by the tests): every issuer is known, all of one kind.
  if (issuer !== undefined && ISSUER_AUDIENCE[issuer].kind === 'staff') {
    return { kind: 'staff', persona, claims: staffClaimsSchema.parse(persona.claims) };
  }
  return { kind: 'citizen', persona, claims: citizenClaimsSchema.parse(persona.claims) };
}
