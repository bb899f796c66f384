// Reading an answer from a service outside Souk without trusting its size: at most `maxBytes`,
// then hang up (rather than read, or wait for, the rest) and throw what the caller says.

/** The body as UTF-8 text, or `tooLarge()` thrown once it passes `maxBytes`. */
export async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number, tooLarge: () => Error): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
