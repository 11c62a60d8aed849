import type { ConsentReceipt } from '../auth/consent-receipts.js';
import type { ReceiptRepository, Store } from './store.js';

class MemoryReceipts implements ReceiptRepository {
  readonly #byId = new Map<string, ConsentReceipt>();

  async save(receipt: ConsentReceipt): Promise<void> {
    this.#byId.set(receipt.id, structuredClone(receipt));
  }

  async get(id: string): Promise<ConsentReceipt | undefined> {
    const receipt = this.#byId.get(id);
    return receipt ? structuredClone(receipt) : undefined;
  }

  async listBySubject(tenantId: string, subjectIndex: string): Promise<ConsentReceipt[]> {
    return [...this.#byId.values()]
      .filter((r) => r.tenantId === tenantId && r.subjectIndex === subjectIndex)
      .map((r) => structuredClone(r));
  }
}

/** In-process store for the embedded default (one gateway instance). */
export function createMemoryStore(): Store {
  return { receipts: new MemoryReceipts(), close: async () => {} };
}
