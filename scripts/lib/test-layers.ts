/**
 * Time per test layer. The layer is in the file name (`*.unit.test.ts`, `*.integration.test.ts`,
 * `*.e2e.test.ts`: the browser and the production server). `LayerTimesReporter` is a vitest
 * reporter that writes each layer's busy time (the files' hooks, tests and imports summed: files
 * run side by side, so the sum exceeds the wall time) to `ASTRAL_TEST_LAYERS_FILE`; `npm test`
 * prints it beside the wall time of lint, typechecks, vitest and conformance.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

export const TEST_LAYERS_FILE_ENV = "ASTRAL_TEST_LAYERS_FILE";

export type Layer = "unit" | "integration" | "e2e";
export interface LayerTime {
  files: number;
  busySeconds: number;
}

export function layerOf(file: string): Layer {
  if (file.endsWith(".e2e.test.ts")) return "e2e";
  if (file.endsWith(".integration.test.ts")) return "integration";
  return "unit";
}

export default class LayerTimesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const out = process.env[TEST_LAYERS_FILE_ENV];
    if (!out) return;
    const layers: Record<Layer, LayerTime> = {
      unit: { files: 0, busySeconds: 0 },
      integration: { files: 0, busySeconds: 0 },
      e2e: { files: 0, busySeconds: 0 },
    };
    for (const module of testModules) {
      const d = module.diagnostic();
      const layer = layers[layerOf(module.moduleId)];
      layer.files++;
      layer.busySeconds += (d.duration + d.collectDuration + d.setupDuration) / 1000;
    }
    writeFileSync(out, JSON.stringify(layers));
  }
}

/** Lines for the closing table: each step's wall time, and the test layers' busy time. */
export function layerTable(steps: Array<[string, number]>, layersFile: string): string[] {
  const lines = steps.map(([name, seconds]) => `  ${name.padEnd(20)} ${seconds.toFixed(1)} s`);
  try {
    const layers = JSON.parse(readFileSync(layersFile, "utf8")) as Record<Layer, LayerTime>;
    for (const [name, t] of Object.entries(layers))
      lines.push(
        `    ${`${name} tests`.padEnd(18)} ${t.busySeconds.toFixed(1)} s busy in ${t.files} file(s)`,
      );
  } catch {
    // vitest wrote no layer times (it did not get that far): the steps' times stand alone
  }
  return lines;
}
