/**
 * Ports the runtime's fetch refuses to connect to (the WHATWG Fetch "bad port" list, as Node 20's
 * undici and Electron apply it). A request there fails at once with "bad port", which the client
 * would retry and report as a network error; we name the problem before the first request.
 * Kept as data because undici does not export its list; test/unit/llm/badPorts.test.ts checks every
 * entry against the running Node's fetch.
 */
export const BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Why `baseUrl` cannot be reached from this runtime, naming the setting to change; undefined when its port is fine. */
export function refusedPortProblem(baseUrl: string, setting: string): string | undefined {
  let port: number;
  try {
    const url = new URL(baseUrl);
    if (!url.port) return undefined; // 80 / 443
    port = Number(url.port);
  } catch {
    return undefined;
  }
  if (!BAD_PORTS.has(port)) return undefined;
  return `${setting} uses port ${port}, which Node's fetch refuses to connect to (a "bad port" in the WHATWG Fetch standard, reserved for other protocols). Run the model server on another port, e.g. 8080, and change ${setting} to match.`;
}
