import { MockIdpConfigError } from './config-error.js';
import { loadMockIdpConfig } from './config-loader.js';
import { createMockIdp } from './mock-idp.js';

/**
 * Standalone mock IdP: `npm run idp-mock`. Reads its config once (see `loadMockIdpConfig`),
 * prints the issuers and runs until SIGINT or SIGTERM.
 */
async function main(): Promise<void> {
  const config = await loadMockIdpConfig(process.env);
  const idp = await createMockIdp({
    ...config,
    logger: {
      info: (obj, msg) => console.log(JSON.stringify({ level: 'info', msg, ...obj })),
      warn: (obj, msg) => console.warn(JSON.stringify({ level: 'warn', msg, ...obj })),
    },
  });

  console.log(`Mock IdP at ${idp.baseUrl} (synthetic test identities only)`);
  for (const id of idp.issuerIds) console.log(`  ${id.padEnd(10)} ${idp.issuer(id)}`);
  console.log(`Personas: ${idp.personas.map((persona) => persona.id).join(', ')}`);

  const stop = (signal: NodeJS.Signals) => {
    console.log(`${signal}: closing the mock IdP`);
    idp.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // Config errors and a taken port have a readable message; anything else gets its stack.
  if (error instanceof MockIdpConfigError) console.error(error.message);
  else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`${(error as Error).message}: another process uses the port; set PORT to choose another`);
  } else console.error(error);
  process.exit(1);
});
