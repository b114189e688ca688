/** A mistyped flag gets a usage error that says what was meant, in the binary users run. */
import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/cli/config.ts";
import { UsageError } from "../../src/errors.ts";
import { runBinary } from "../binary.ts";

function refusal(args: string[]): string {
  try {
    parseConfig(args, {});
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${args.join(" ")}`);
}

describe("mistyped flags", () => {
  test("underscores, capitals and small typos suggest the flag that exists", () => {
    expect(refusal(["--batch_size", "2"])).toBe("unknown flag --batch_size; did you mean --batch-size? (see --help for the flags).");
    expect(refusal(["--Strategy", "badge"])).toContain("did you mean --strategy?");
    expect(refusal(["--stratgy", "badge"])).toContain("did you mean --strategy?");
    expect(refusal(["--zzzzzz"])).toBe("unknown flag --zzzzzz (see --help for the flags).");
  });

  test("a negative value says how to write one; a missing value says so", () => {
    expect(refusal(["--batch-size", "-3"])).toContain("is written --batch-size=VALUE");
    expect(refusal(["--batch-size"])).toBe("flag --batch-size needs a value (see --help).");
  });

  test("a boolean flag followed by a word that is neither a value nor a command names the flag and its values", () => {
    expect(refusal(["--save-report", "maybe"])).toBe('flag --save-report is followed by "maybe"; it takes true or false (true, 1, yes, on, false, 0, no, off), or nothing for true.');
    expect(parseConfig(["--quiet", "inspect", "--input", "x"], {}).command).toBe("inspect");
    expect(parseConfig(["--quiet", "no", "--strategy", "badge"], {}).values.QUIET).toBe(false);
  });

  test("through the binary: no parser jargon about positional arguments, and -h prints the help", () => {
    const typo = runBinary(["--strategy", "uncertainty", "--batch_size", "2"]);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain("did you mean --batch-size?");
    expect(typo.stderr).not.toContain("positional");
    const help = runBinary(["-h"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("Usage:");
  });
});
