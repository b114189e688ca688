/**
 * A file written through one reused buffer, a MiB a system call: selected_samples.csv is
 * many small pieces (a record's bytes, a row's text), and writing each was three system calls
 * a row (1 s of a 416,490-row selection). The text made for the pieces is garbage once
 * written, which Bun lets pile up (650 MB for those rows), so the collector is nudged as the
 * buffer is written (collect-garbage.ts).
 */
import { Buffer } from "node:buffer";
import { writeSync } from "node:fs";
import { collectGarbage } from "./collect-garbage.ts";

const BUFFER_BYTES = 1 << 20;
/** UTF-8 takes at most 3 bytes for each UTF-16 unit (4 for a surrogate pair, which is 2 units). */
const MAX_UTF8_PER_UNIT = 3;

export class ByteSink {
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  constructor(private readonly fd: number) {}

  bytes(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) this.flush();
    if (bytes.length > this.buffer.length) return writeAll(this.fd, bytes);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Text as UTF-8 (a lone surrogate as U+FFFD, as TextEncoder writes it). */
  text(text: string): void {
    const most = MAX_UTF8_PER_UNIT * text.length;
    if (this.used + most > this.buffer.length) this.flush();
    if (most > this.buffer.length) return writeAll(this.fd, Buffer.from(text, "utf8"));
    this.used += this.buffer.write(text, this.used, "utf8");
  }

  /** Writes what the buffer holds; call it once more after the last piece. */
  flush(): void {
    writeAll(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
    collectGarbage();
  }
}

/** writeSync may write less than it is given. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}
