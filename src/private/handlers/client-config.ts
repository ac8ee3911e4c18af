/**
 * The configuration every AWS SDK client of the bundled handlers is created with: bounded
 * connection and request times and a bounded number of attempts, so that an endpoint that never
 * answers costs seconds, not the whole Lambda timeout.
 *
 * It is a plain options object: the SDK builds its own `NodeHttpHandler` from it, so nothing from
 * `@smithy/*` is bundled (the Lambda runtime provides the SDK; the bundles keep `@aws-sdk/*`
 * external). `throwOnRequestTimeout` makes newer SDK versions fail a request that exceeds
 * `requestTimeout` (they only warn otherwise); older versions ignore it and already fail on the
 * socket timeout.
 */
export const HANDLER_CLIENT_CONFIG = {
  /** Attempts per call, the first included (standard retry mode: backoff with jitter; throttling retried). */
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: {
    /** Milliseconds to establish the TCP/TLS connection. */
    connectionTimeout: 3_000,
    /** Milliseconds for the whole request, per attempt. */
    requestTimeout: 10_000,
    /** Milliseconds a socket may stay idle during a request. */
    socketTimeout: 10_000,
    throwOnRequestTimeout: true,
  },
};
