import { createMemoryStore } from '../../../src/store/memory-store.js';
import { describeStoreContract } from '../../helpers/store-contract.js';

describeStoreContract('memory store', async () => createMemoryStore());
