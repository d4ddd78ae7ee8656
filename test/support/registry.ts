import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/** A package tarball to serve, with its package.json (name, version, bin …). */
export interface Published {
  tarball: string;
  manifest: { name: string; version: string } & Record<string, unknown>;
}

export interface LocalRegistry {
  /** For npm_config_registry. */
  url: string;
  /** The request paths served so far, in order: proof of what npm fetched. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * The two requests of npm's registry protocol that installing needs — a package's
 * metadata (the packument) and its tarballs — on 127.0.0.1, for packages built here.
 * Anything else is a 404, so npm never falls through to the public registry.
 */
export async function startLocalRegistry(packages: readonly Published[]): Promise<LocalRegistry> {
  const tarballs = new Map<string, Buffer>();
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    requests.push(url);
    const tarball = tarballs.get(url);
    if (tarball) {
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": tarball.length });
      response.end(tarball);
      return;
    }
    const name = url.slice(1);
    const versions = packages.filter((pkg) => pkg.manifest.name === name);
    if (versions.length === 0) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "not found" }));
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(packument(name, versions)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const entries = new Map<string, Record<string, unknown>>();
  for (const pkg of packages) {
    const bytes = await readFile(pkg.tarball);
    const file = `/${pkg.manifest.name}/-/${path.basename(pkg.tarball)}`;
    tarballs.set(file, bytes);
    entries.set(`${pkg.manifest.name}@${pkg.manifest.version}`, {
      ...pkg.manifest,
      _id: `${pkg.manifest.name}@${pkg.manifest.version}`,
      dist: {
        tarball: `${origin}${file}`,
        shasum: createHash("sha1").update(bytes).digest("hex"),
        integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      },
    });
  }
  function packument(name: string, versions: readonly Published[]) {
    const latest = versions.at(-1)!.manifest.version;
    return {
      name,
      "dist-tags": { latest },
      versions: Object.fromEntries(versions.map((pkg) => [pkg.manifest.version, entries.get(`${name}@${pkg.manifest.version}`)])),
    };
  }

  return {
    url: `${origin}/`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
