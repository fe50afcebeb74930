import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for the many small draws of every referral (an IV per encrypted field, its reference): taken from
 * a 4 KiB block of the operating system's CSPRNG, refilled when used up, instead of one system call per draw
 * (Node does the same for `randomUUID`). Each byte is handed out once, in a copy of its own; the block is never
 * shared with a child process (the server does not fork). Draws larger than 256 bytes go to the system directly.
 */
const BLOCK_BYTES = 4096;
const MAX_POOLED_DRAW = 256;
const block = Buffer.alloc(BLOCK_BYTES);
let offset = BLOCK_BYTES;

export function pooledRandomBytes(size: number): Buffer {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`Expected a whole number of bytes, got ${size}.`);
  if (size > MAX_POOLED_DRAW) return randomFillSync(Buffer.alloc(size));
  if (offset + size > BLOCK_BYTES) {
    randomFillSync(block);
    offset = 0;
  }
  const bytes = Buffer.from(block.subarray(offset, offset + size));
  // Wiped as it is handed out, so a byte left in the block is never one somebody already holds.
  block.fill(0, offset, offset + size);
  offset += size;
  return bytes;
}
