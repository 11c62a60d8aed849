import type { Persona } from '../idp-mock/index.js';

/** Staff personas the load generator logs in as, one per agent. */
export const BENCH_AGENTS = 50;

/** `bench-agent-N`: the mock staff IdP's persona of agent N. */
export function benchAgentPersona(index: number): string {
  return `bench-agent-${index}`;
}

/** The bench agents as mock IdP personas (role `agent`, tenant `demo`). */
export function benchPersonas(): Persona[] {
  return Array.from({ length: BENCH_AGENTS }, (_, i) => ({
    id: benchAgentPersona(i),
    label: `Bench agent ${i}`,
    issuers: ['staff'],
    claims: { name: `Bench Agent ${i}`, email: `bench.agent.${i}@demo.example`, roles: ['agent'] },
  }));
}
