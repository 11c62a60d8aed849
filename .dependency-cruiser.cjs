/**
 * Dependency rules checked by `npm run lint` (dependency-cruiser). Modules are collapsed into
 * their folder (each folder under src/ — auth, chat, http, … — and idp-mock, bench, test) before
 * the rules run, so a "circular" dependency here is folders that import each other, directly
 * or through others.
 * @see STYLE.md, "Dependencies point one way"
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment:
        'Folders must not depend on each other in a cycle: declare an interface in the ' +
        'feature that needs it and implement it in the other folder (as store/ implements chat/).',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src|idp-mock|bench|test)/',
    exclude: { path: '^src/web/client/' },
    collapse: '^(src/[^/]+|idp-mock|bench|test)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
