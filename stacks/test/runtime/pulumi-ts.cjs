// Loads a TypeScript file the way Pulumi's nodejs language runtime does (see
// node_modules/@pulumi/pulumi/cmd/run/run.js, non-ESM branch): ts-node from node_modules or the
// vendored ts-node 7.0.1, typescript from node_modules, the project's tsconfig.json compiler
// options over Pulumi's defaults, type checking on (Pulumi's default). Usage:
//   node stacks/test/runtime/pulumi-ts.cjs <file.ts>     (cwd = the project or policy pack root)
const path = require("node:path");
const fs = require("node:fs");

const root = process.cwd();
// The @pulumi/pulumi the program itself would load (found from the working directory upwards).
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi", { paths: [root] }));
const tsutils = require(path.join(pulumiDir, "tsutils.js"));
const tsConfigPath = "tsconfig.json";
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const ts = require(typescriptRequire);
const [major, minor] = ts.version.split(".").map(Number);
const useNodeNext = major > 4 || (major === 4 && minor >= 7);
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly: compilerOptions.noCheck,
  project: tsConfigPath,
  skipProject: !fs.existsSync(tsConfigPath),
  compilerOptions: {
    target: "ES2020",
    module: useNodeNext ? "nodenext" : "commonjs",
    moduleResolution: useNodeNext ? "nodenext" : "node",
    sourceMap: "true",
    ...compilerOptions,
  },
});
process.stderr.write(`pulumi-ts: typescript ${ts.version}, ts-node ${tsnodeRequire}\n`);
require(path.resolve(root, process.argv[2]));
