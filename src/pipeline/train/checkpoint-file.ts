import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * One checkpoint = one file, so replacing it is atomic: written beside the target, flushed to disk,
 * then renamed over it. A crash leaves the previous checkpoint or the new one, never a mix.
 *
 * Layout: 8-byte magic, uint32 LE length of a JSON header, the header, zero padding to a multiple
 * of 4, then every tensor's float32 values (little-endian) in header order.
 */
const MAGIC = Buffer.from('FGCKPT\u0000\u0001', 'latin1');

interface TensorEntry {
  name: string;
  shape: number[];
  /** Byte offset from the start of the data section. */
  offset: number;
}

interface FileHeader<T> {
  state: T;
  tensors: TensorEntry[];
}

export interface CheckpointContents<T> {
  state: T;
  tensors: Map<string, { shape: number[]; values: Float32Array }>;
}

export async function writeCheckpointFile<T>(
  path: string,
  state: T,
  tensors: ReadonlyMap<string, tf.Tensor>,
): Promise<void> {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.dtype !== 'float32') throw new Error(`checkpoint tensor ${name} is ${t.dtype}; only float32 is stored`);
    entries.push({ name, shape: t.shape, offset });
    offset += t.size * 4;
  }
  const header = Buffer.from(JSON.stringify({ state, tensors: entries } satisfies FileHeader<T>), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const prefix = MAGIC.length + 4 + header.length;
  const padding = Buffer.alloc((4 - (prefix % 4)) % 4);

  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await writeAll(file, Buffer.concat([MAGIC, length, header, padding]));
    for (const t of tensors.values()) {
      const values = (await t.data()) as Float32Array;
      await writeAll(file, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path);
  // Make the rename itself durable.
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

async function writeAll(file: FileHandle, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length;) done += (await file.write(data, done, data.length - done)).bytesWritten;
}

export async function readCheckpointFile<T>(path: string): Promise<CheckpointContents<T>> {
  const bytes = await readFile(path);
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error(`${path} is not a checkpoint file`);
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  const header = JSON.parse(bytes.subarray(headerStart, headerStart + headerLength).toString('utf8')) as FileHeader<T>;
  const prefix = headerStart + headerLength;
  const dataStart = prefix + ((4 - (prefix % 4)) % 4);
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const entry of header.tensors) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const start = dataStart + entry.offset;
    if (start + size * 4 > bytes.length) throw new Error(`${path} is truncated (tensor ${entry.name})`);
    // Copy: the file buffer's own offset need not be 4-aligned.
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + size * 4));
    tensors.set(entry.name, { shape: entry.shape, values });
  }
  return { state: header.state, tensors };
}
