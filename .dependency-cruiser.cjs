// The layer rule of DESIGN.md, enforced by dependency-cruiser on the real import graph
// (run by `npm test` through test/layers.test.ts, and by `npm run lint:layers`).
// An arrow only points down; a folder is entered only through its index.ts.
const mayImport = {
  io: [], crypto: [], wire: [],
  relay: ['io', 'crypto', 'wire'],
  dht: ['io', 'crypto', 'wire'],
  netcrypto: ['relay', 'io', 'crypto', 'wire'],
  onion: ['dht', 'relay', 'io', 'crypto', 'wire'],
  friend: ['dht', 'onion', 'netcrypto', 'relay', 'io', 'crypto', 'wire'],
  messenger: ['friend', 'dht', 'onion', 'netcrypto', 'relay', 'io', 'crypto', 'wire'],
  mux: ['messenger', 'friend', 'netcrypto', 'io', 'crypto', 'wire'],
};
const layers = Object.keys(mayImport);
const top = ['cli'];

const downOnly = layers.map((layer) => {
  const forbidden = layers.filter((l) => l !== layer && !mayImport[layer].includes(l)).concat(top);
  return {
    name: `layer-${layer}`,
    comment: `src/${layer} may import only ${mayImport[layer].join(', ') || 'nothing else in src'} (DESIGN.md, Layers)`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: `^src/(${forbidden.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    ...downOnly,
    {
      name: 'enter-through-index',
      comment: 'another folder is imported through its index.ts only (DESIGN.md, Layers)',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'sodium-only-in-crypto',
      comment: 'nothing but src/crypto touches libsodium or sodium-native (DESIGN.md, Layers)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/crypto/' },
      to: { path: 'libsodium|sodium-native' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-into-tests',
      comment: 'library code never imports tests, benches or tools',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
