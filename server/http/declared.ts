/**
 * The routes built over a declared endpoint by the kit's surfaces. `mount()` takes only these, so a hand-made
 * route (its own parsing and access) cannot be mounted: it fails at start, not in production.
 */
const declaredRoutes = new WeakSet<object>();

export function markDeclared<T extends object>(spec: T): T {
  declaredRoutes.add(spec);
  return spec;
}

export function isDeclaredRoute(spec: object): boolean {
  return declaredRoutes.has(spec);
}
