// Outgoing requests reach only public addresses. Every client that calls out to an address someone
// gave Souk (webhooks, order callbacks, upstream providers) goes through here, three times over
// (the Zid client calls only the origins its settings name, core/zid/client.ts): a URL is judged
// when it is given (outboundUrlProblem), the lookup the socket uses refuses names that resolve to
// a private address (on every connection, so DNS rebinding gains nothing), and the address the
// socket actually reached is judged before a byte is written (an address written in the URL is
// never looked up). Addresses are parsed by ipaddr.js in every form a resolver or URL parser
// accepts: decimal, octal and hex IPv4 (2130706433, 0177.0.0.1, 0x7f.1, 10.1) and IPv4 carried in
// IPv6 (mapped, translated, NAT64, 6to4), whose embedded IPv4 address is what is judged.
import { lookup as dnsLookup, promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { Socket, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The only IPv6 block handed out as global unicast; the rest of the space is reserved or local. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** NAT64's well-known prefix: the last 32 bits are the IPv4 address reached. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
/** Names that only ever mean a machine on this host or network (RFC 6761, 6762, 8375; ICANN's .internal). */
const LOCAL_SUFFIXES = ['localhost', 'local', 'localdomain', 'internal', 'home.arpa', 'lan'];

function parseAddress(text: string): Address | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : undefined;
}

function embeddedIPv4(address: ipaddr.IPv6, at: number): ipaddr.IPv4 {
  const [high = 0, low = 0] = address.parts.slice(at, at + 2);
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function isPublic(address: Address): boolean {
  if (address instanceof ipaddr.IPv4) return address.range() === 'unicast';
  const v6 = address;
  if (v6.zoneId) return false;
  switch (v6.range()) {
    case 'unicast':
      // Outside 2000::/3 is reserved space, IPv4-compatible ::a.b.c.d included.
      return v6.match(GLOBAL_UNICAST);
    case 'ipv4Mapped':
    case 'rfc6145':
      return isPublic(embeddedIPv4(v6, 6));
    case 'rfc6052':
      // The local-use prefix 64:ff9b:1::/48 embeds IPv4 where its network chooses: refused.
      return v6.match(NAT64_WELL_KNOWN) && isPublic(embeddedIPv4(v6, 6));
    case '6to4':
      return isPublic(embeddedIPv4(v6, 1));
    default:
      // Teredo (its relays reach an address we cannot vouch for), link-local, unique-local,
      // multicast, documentation, benchmarking and the rest.
      return false;
  }
}

/** True only for an address on the public internet, however it is written; false for anything that is not an address. */
export function isPublicAddress(address: string): boolean {
  const parsed = parseAddress(address);
  return parsed !== undefined && isPublic(parsed);
}

/** Why a host (an address or a name, as written in a URL) may not be called, judged without a lookup; undefined when it may. */
export function hostProblem(host: string): string | undefined {
  const trimmed = host.replace(/\.+$/, '');
  const address = parseAddress(host) ?? parseAddress(trimmed);
  if (address) return isPublic(address) ? undefined : `${host} is not a public address`;
  const name = trimmed.toLowerCase();
  // A name whose last label is a number is an IPv4 address to resolvers and URL parsers alike;
  // one ipaddr.js cannot read (or an IPv6 one) is not something we can vouch for.
  if (name.includes(':') || /(^|\.)(\d+|0x[0-9a-f]*)$/.test(name)) return `${host} is not a valid address`;
  // A single label is completed by the resolver's search domains: a name on the local network.
  if (!name.includes('.') || LOCAL_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))) return `${host} is a local name`;
  return undefined;
}

export class PrivateAddressRefused extends Error {
  constructor(host: string, address: string, how: 'resolves to' | 'connected to' = 'resolves to') {
    super(host === address ? `${address} is not a public address` : `${host} ${how} ${address}, which is not a public address`);
    this.name = 'PrivateAddressRefused';
  }
}

/** A lookup for sockets that answers only public addresses (unless allowed): a name with any private address is refused. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as Array<{ address: string; family: number }>;
      const refused = allowPrivate ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (refused) return callback(new PrivateAddressRefused(hostname, refused.address), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/** Destroys the socket, before anything it was given is written, if the address it connected to is not public (unless allowed). */
export function guardSocket(socket: Socket, host: string, allowPrivate: boolean): void {
  if (allowPrivate) return;
  // First in line: data written while connecting, and a TLS handshake, wait on this same event.
  socket.prependOnceListener('connect', () => {
    const remote = socket.remoteAddress;
    if (remote === undefined || !isPublicAddress(remote)) socket.destroy(new PrivateAddressRefused(host, remote ?? 'no address', 'connected to'));
  });
}

type ConnectCallback = (error: Error | null, stream: Duplex) => void;
type Connect<O> = (options: O, callback?: ConnectCallback) => Duplex | null | undefined;

function guardedConnection<O extends { host?: string | null | undefined }>(connect: Connect<O>, options: O, callback: ConnectCallback | undefined, allowPrivate: boolean) {
  const host = options.host ?? 'localhost';
  const literal = parseAddress(host);
  // An address written in the URL is never looked up: refused here, before any packet is sent.
  if (!allowPrivate && literal && !isPublic(literal)) {
    const error = new PrivateAddressRefused(host, host);
    if (!callback) throw error;
    // The agent ignores the stream when it is given an error.
    callback(error, new Socket());
    return undefined;
  }
  const socket = connect(options, callback);
  if (socket instanceof Socket) guardSocket(socket, host, allowPrivate);
  return socket;
}

class GuardedHttpAgent extends http.Agent {
  constructor(
    private readonly allowPrivate: boolean,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback) {
    return guardedConnection((o, c) => super.createConnection(o, c), options, callback, this.allowPrivate);
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(
    private readonly allowPrivate: boolean,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectCallback) {
    return guardedConnection((o, c) => super.createConnection(o, c), options, callback, this.allowPrivate);
  }
}

export interface GuardedAgents {
  'http:': http.Agent;
  'https:': https.Agent;
}

/** HTTP and HTTPS agents that connect only to public addresses (unless allowed): every outgoing client uses these. */
export function guardedAgents(allowPrivate: boolean, options: http.AgentOptions = {}): GuardedAgents {
  // The agent's own options win over a request's, so a caller cannot swap the lookup out.
  const lookup = guardedLookup(allowPrivate);
  return { 'http:': new GuardedHttpAgent(allowPrivate, { ...options, lookup }), 'https:': new GuardedHttpsAgent(allowPrivate, { ...options, lookup }) };
}

/** How long judging a URL waits for its name to resolve before leaving it to the connection's own check. */
export const URL_LOOKUP_TIMEOUT_MS = 1000;
export const MAX_URL_LENGTH = 2000;

export interface UrlCheckOptions {
  /** SOUK_WEBHOOK_ALLOW_PRIVATE: private addresses may be called (tests, local development). */
  allowPrivate: boolean;
  /** The name's addresses (default: the system resolver, as sockets use it). */
  resolve?: (host: string) => Promise<string[]>;
  timeoutMs?: number;
}

const systemResolve = async (host: string) => (await dns.lookup(host, { all: true })).map((a) => a.address);

/** Settles within the time given: the addresses, or undefined if the lookup failed or took too long. */
function resolveWithin(host: string, resolve: (host: string) => Promise<string[]>, timeoutMs: number): Promise<string[] | undefined> {
  return new Promise((settle) => {
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    const done = (addresses: string[] | undefined) => {
      clearTimeout(timer);
      settle(addresses);
    };
    resolve(host).then(done, () => done(undefined));
  });
}

/**
 * Why a URL may not be called (not http(s), credentials in it, too long, or a host that is not
 * public), or undefined when it may. A name is resolved within a second; if it cannot be, the URL
 * is not refused for it (the connection is checked again when made).
 */
export async function outboundUrlProblem(raw: string, options: UrlCheckOptions): Promise<string | undefined> {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be http or https';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (options.allowPrivate) return undefined;
  const problem = hostProblem(url.hostname);
  if (problem) return `must be a public address (${problem})`;
  if (parseAddress(url.hostname)) return undefined;
  const addresses = await resolveWithin(url.hostname, options.resolve ?? systemResolve, options.timeoutMs ?? URL_LOOKUP_TIMEOUT_MS);
  const refused = addresses?.find((address) => !isPublicAddress(address));
  return refused === undefined ? undefined : `must be a public address (${url.hostname} resolves to ${refused})`;
}
