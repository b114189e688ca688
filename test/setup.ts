/**
 * Preloaded for every test file (bunfig.toml): each test's temporary directories are removed
 * after it, and the ones made outside a test (beforeAll, module level) after the run.
 */
import { afterAll, afterEach, beforeEach } from "bun:test";
import { removeTempDirsSince, tempDirMark } from "./helpers.ts";

let mark = 0;
beforeEach(() => { mark = tempDirMark(); });
afterEach(() => removeTempDirsSince(mark));
afterAll(() => removeTempDirsSince(0));
