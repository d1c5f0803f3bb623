/** Reads SSE frames from a streaming Response until `until` says enough or the deadline passes. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: any;
  comment?: string;
}

export async function readSse(res: Response, until: (frames: SseFrame[]) => boolean, timeoutMs = 10_000): Promise<SseFrame[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(frames)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`SSE: condition not met in ${timeoutMs} ms; got ${JSON.stringify(frames)}`);
      const chunk = await Promise.race([reader.read(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('SSE read timeout')), left))]);
      if (chunk.done) break;
      buf += decoder.decode(chunk.value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const f: SseFrame = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) f.comment = line.slice(1).trim();
          else if (line.startsWith('id: ')) f.id = line.slice(4);
          else if (line.startsWith('event: ')) f.event = line.slice(7);
          else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
        }
        frames.push(f);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return frames;
}
