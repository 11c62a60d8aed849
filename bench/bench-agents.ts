import type { Persona } from '../idp-mock/index.js';

/**
 * Staff personas the load generator logs in as, one per agent: up to 50 agents per target,
 * and two targets on the same Redis need different agents (the same staff member on two
 * consoles follows the same conversations there, and the bench's agents would both answer).
 */
export const BENCH_AGENTS = 100;

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
