/** Integration-test entry point: see `src/test-support.ts` and emulator/README.md. */
export * from "./src/test-support";
