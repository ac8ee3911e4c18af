import * as http from 'http';
import * as net from 'net';

/**
 * Faulty endpoints for fault-injection tests: an AWS endpoint that never answers, one that refuses
 * connections, and one that throttles before it passes requests on to the local AWS.
 */

/** A local endpoint; `close()` ends every connection it holds. */
export interface FaultyEndpoint {
  readonly url: string;
  /** How many connections (silent) or requests (throttling) it received. */
  received(): number;
  close(): Promise<void>;
}

/** A TCP server on a loopback port that accepts every connection and never sends a byte. */
export async function silentEndpoint(): Promise<FaultyEndpoint> {
  const sockets = new Set<net.Socket>();
  let received = 0;
  const server = net.createServer((socket) => {
    received++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    received: () => received,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL where nothing listens (the port was bound, then released): connections are refused. */
export async function refusingEndpoint(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The throttling error of an AWS protocol, as the service sends it. */
export const THROTTLING = {
  /** JSON protocols (SSM, KMS, Secrets Manager): HTTP 400 `ThrottlingException`. */
  json: {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' },
    body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
  },
  /** The EC2 query protocol: HTTP 503 `RequestLimitExceeded`. */
  ec2: {
    status: 503,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>' +
      '<Message>Request limit exceeded.</Message></Error></Errors><RequestID>throttled-1</RequestID></Response>',
  },
} as const;

/** A throttling proxy: what it did with each request, by the protocol's action (`X-Amz-Target` or `Action=`). */
export interface ThrottlingProxy extends FaultyEndpoint {
  /** The actions it throttled, in order. */
  throttled(): string[];
  /** The actions it passed on, in order. */
  forwarded(): string[];
}

/**
 * An HTTP endpoint that answers the first `count` requests with a throttling error and passes
 * every later one on to `target` (the local AWS), as a service does once the caller backs off.
 */
export async function throttlingProxy(target: string, count: number, error: (typeof THROTTLING)[keyof typeof THROTTLING]): Promise<ThrottlingProxy> {
  const throttled: string[] = [];
  const forwarded: string[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = String(req.headers['x-amz-target'] ?? new URLSearchParams(body.toString('utf8')).get('Action') ?? req.url);
      if (throttled.length < count) {
        throttled.push(action);
        res.writeHead(error.status, error.headers).end(error.body);
        return;
      }
      forwarded.push(action);
      const out = http.request(
        { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.writeHead(502).end());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    received: () => throttled.length + forwarded.length,
    throttled: () => [...throttled],
    forwarded: () => [...forwarded],
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
