// The layer rules of ARCHITECTURE.md, checked by `npm run lint:layers`: the arrows point one way
// (routes -> services -> models), shared vocabulary lives in server/domain/, and no file waits on itself.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: split the shared piece out, or let one side react through server/services/events.ts.',
      from: { path: '^(server|jobs)/' },
      to: { circular: true },
    },
    {
      name: 'services-not-upward',
      severity: 'error',
      comment: 'Services hold the rules and stay below transport: they emit domain events with documents or ids, and the route or realtime side presents them.',
      from: { path: '^server/services/' },
      to: { path: '^server/(presenters|routes|http|realtime)/' },
    },
    {
      name: 'models-below-services',
      severity: 'error',
      comment: 'Models are the bottom layer: vocabulary they need lives in server/domain/.',
      from: { path: '^server/models/' },
      to: { path: '^server/(services|presenters|policies|routes|http|realtime)/' },
    },
    {
      name: 'presenters-not-services',
      severity: 'error',
      comment: 'Presenters map a document to a view; shared vocabulary and date helpers come from server/domain/.',
      from: { path: '^server/presenters/' },
      to: { path: '^server/(services|routes|http|realtime)/' },
    },
    {
      name: 'routes-not-models',
      severity: 'error',
      comment: 'Routes call services, which alone query models (a document type may be named; vocabulary comes from server/domain/).',
      from: { path: '^server/(routes|http)/' },
      to: { path: '^server/models/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'realtime-and-jobs-not-models',
      severity: 'error',
      comment: 'Socket handlers and jobs call the same services as routes, which alone query models (a document type may be named).',
      from: { path: '^(server/realtime|jobs)/' },
      to: { path: '^server/models/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-is-the-floor',
      severity: 'error',
      comment: 'server/domain/ is vocabulary every layer may import, so it imports none of them.',
      from: { path: '^server/domain/' },
      to: { path: '^(server/(models|services|presenters|policies|routes|http|realtime)|jobs)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(server|jobs)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
