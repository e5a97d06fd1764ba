import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Simulator } from './simulator';
export class HostUi {
  constructor(private readonly sim: Simulator) {}
  async handle(_req: IncomingMessage, res: ServerResponse, _url: URL): Promise<void> {
    void this.sim;
    res.statusCode = 404;
    res.end('not yet');
  }
}
