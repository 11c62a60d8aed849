import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { handoffTargetSchema } from '../../../src/config/handoff-schema.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { EXAMPLES_DIR, exampleFiles, examplesEnv } from '../../helpers/config-examples.js';

const files = exampleFiles();

let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = await examplesEnv('redis://127.0.0.1:6379');
});

describe('config/examples', () => {
  it('holds at least one example per hand-off target', () => {
    for (const vendor of handoffTargetSchema.options.map((option) => option.shape.vendor.value)) {
      expect(files).toContain(`handoff-${vendor}.json`);
    }
  });

  for (const file of files) {
    it(`${file} is accepted in production once its secrets are in the environment`, () => {
      const raw: unknown = JSON.parse(readFileSync(new URL(file, EXAMPLES_DIR), 'utf8'));
      const loaded = parseConfig(raw, { env, source: file });
      expect(loaded.production).toBe(true);
    });
  }
});
