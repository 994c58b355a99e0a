// For the sandbox's webhook tests: a real node:http receiver that records each delivery and answers
// with the next status of a script (then 200), now or after a hold.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  /** The request's path and query. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** performance.now() when the body had arrived. */
  readonly at: number;
}

export class WebhookTestReceiver {
  readonly received: ReceivedDelivery[] = [];
  /** The statuses of the next replies, in order; 200 once it runs out. */
  statuses: number[] = [];
  /** Replies wait this long (a receiver slower than the sender's timeout)… */
  holdMs = 0;
  /** …or, while set, until it settles (to show the sender does not wait for delivery). */
  hold: Promise<void> | undefined;
  #server: Server | undefined;
  /** The receiver's URL once started: `http://127.0.0.1:<port>` and the path it was started with. */
  url = '';

  async start(path = ''): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() });
        const status = this.statuses.shift() ?? 200;
        const reply = (): void => { if (!res.destroyed) res.writeHead(status).end(); };
        if (this.hold) void this.hold.then(reply);
        else if (this.holdMs > 0) setTimeout(reply, this.holdMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}${path}`;
  }

  reset(): void {
    this.received.length = 0;
    this.statuses = [];
    this.holdMs = 0;
    this.hold = undefined;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}
