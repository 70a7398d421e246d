/**
 * vitest setup file (vitest.config.mts): after each test file, remove the folders it made with
 * `testTempDir`. A setup file's `afterAll` is registered first, so with vitest's stacked hooks it
 * runs last, after the file's own hooks have stopped the servers that used those folders.
 */
import { afterAll } from "vitest";
import { removeTestTempDirs } from "./temp-dirs";

afterAll(removeTestTempDirs);
