/**
 * What the Pulumi program asked the engine for beyond a resource's inputs, kept from the register
 * requests under mocks: dependencies, parent, `protect`, custom timeouts. The stack tests assert
 * ordering and protection with it; `npm run bench:infra` walks the graph.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Recorded } from "./harness";

/** URNs each resource was registered to depend on (`dependsOn` and its inputs' resources). */
const dependencies = new Map<string, string[]>();
/** Resources registered with `protect` (set on them or inherited from their component). */
const protectedResources = new Set<string>();
/** Create timeouts resources were registered with (`customTimeouts.create`). */
const createTimeouts = new Map<string, string>();

/** The `customTimeouts.create` a recorded resource was registered with, if any. */
export const createTimeoutOf = (resource: Recorded) =>
  createTimeouts.get(`${resource.type}::${resource.name}`);

/** Whether a recorded resource was registered with `protect`. */
export const isProtected = (resource: Recorded) =>
  protectedResources.has(`${resource.type}::${resource.name}`);

/**
 * Mocks do not pass resource options to `newResource`; the register request they receive does
 * carry the dependencies, parent, `protect` and custom timeouts, so the mock monitor is wrapped
 * to keep them.
 */
export function recordRegistrations(): void {
  type Request = {
    getType(): string;
    getName(): string;
    getDependenciesList(): string[];
    getProtect(): boolean;
    getCustomtimeouts(): { getCreate(): string } | undefined;
    getParent(): string;
    getCustom(): boolean;
  };
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: Request, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    graphNodes.push({
      key: `${req.getType()}::${req.getName()}`,
      type: req.getType(),
      parent: urnKey(req.getParent()),
      dependencies: req.getDependenciesList().map(urnKey),
      custom: req.getCustom(),
    });
    dependencies.set(`${req.getType()}::${req.getName()}`, req.getDependenciesList());
    if (req.getProtect()) protectedResources.add(`${req.getType()}::${req.getName()}`);
    const create = req.getCustomtimeouts()?.getCreate();
    if (create) createTimeouts.set(`${req.getType()}::${req.getName()}`, create);
    return register(req, callback);
  };
}

/** Every registered resource (components too) with its parent and dependencies. */
export interface GraphNode {
  /** `<type>::<name>`, as urnKey makes it of a URN. */
  key: string;
  type: string;
  parent: string;
  dependencies: string[];
  custom: boolean;
}
export const graphNodes: GraphNode[] = [];

/** `urn:pulumi:<stack>::<project>::<parent types $>...<type>::<name>` → `<type>::<name>`. */
export function urnKey(urn: string): string {
  const parts = urn.split("::");
  const name = parts.at(-1) ?? "";
  const type = (parts.at(-2) ?? "").split("$").at(-1) ?? "";
  return `${type}::${name}`;
}

/** The URNs a recorded resource depends on. */
export function dependenciesOf(resource: Recorded): string[] {
  return dependencies.get(`${resource.type}::${resource.name}`) ?? [];
}

/** Whether a URN names this recorded resource (type and name; parents may prefix the type). */
export const urnOf = (urn: string, resource: Recorded) =>
  urn.endsWith(`${resource.type}::${resource.name}`);
