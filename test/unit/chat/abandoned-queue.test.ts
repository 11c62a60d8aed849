import { createMemoryChatRepositories } from '../../../src/store/memory-store.js';
import { describeAbandonedQueueContract } from '../../helpers/abandoned-queue-contract.js';

describeAbandonedQueueContract('memory store', async () => {
  const repositories = createMemoryChatRepositories();
  return { a: repositories, b: repositories, sharedSockets: false };
});
