import { writeFile } from "node:fs/promises";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { tempDir } from "./cli.js";
import { repoRoot } from "./paths.js";
import { eventually, freePort } from "./waiting.js";

export interface Verdaccio {
  /** For npm_config_registry: ends with "/". */
  url: string;
  /** Publishes a packed tarball, as its author would with `npm publish`. */
  publish(tarball: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real npm registry on 127.0.0.1 (Verdaccio 5, which runs on Node 20): what is
 * published to it is served from its own storage, every other package is fetched
 * through it from the registry this machine uses. Lets `npm init scaffold` and
 * `pnpm create scaffold` resolve the packed CLI by name, as they would once it is published.
 */
export async function startVerdaccio(): Promise<Verdaccio> {
  const dir = await tempDir("create-scaffold-verdaccio-");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const upstream = (await execa("npm", ["config", "get", "registry"], { stdin: "ignore" })).stdout.trim();
  const config = path.join(dir, "config.yaml");
  await writeFile(
    config,
    [
      `storage: ${path.join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${path.join(dir, "htpasswd")}`,
      "uplinks:",
      "  upstream:",
      `    url: ${upstream}`,
      "    timeout: 60s",
      "packages:",
      "  create-scaffold:",
      "    access: $all",
      "    publish: $authenticated",
      '  "**":',
      "    access: $all",
      "    proxy: upstream",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const server: ResultPromise = execa(
    "node",
    [path.join(repoRoot, "node_modules/verdaccio/bin/verdaccio"), "--config", config, "--listen", `127.0.0.1:${port}`],
    {
      cwd: dir,
      stdin: "ignore",
      all: true,
      reject: false,
    },
  );
  let output = "";
  server.all?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = async () => {
    server.kill("SIGTERM");
    await server;
  };
  try {
    await eventually(
      `Verdaccio answering on ${url}`,
      async () => (await fetch(`${url}-/ping`).catch(() => undefined))?.ok === true,
      30_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }

  // npm publishes only with a token: a user of this registry's own, made through npm's login route.
  const login = await fetch(`${url}-/user/org.couchdb.user:scaffold`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "scaffold", password: "scaffold-test" }),
  });
  const { token } = (await login.json()) as { token?: string };
  if (!token) throw new Error(`Verdaccio made no user (HTTP ${login.status})`);
  const userconfig = path.join(dir, "npmrc");
  await writeFile(userconfig, `//127.0.0.1:${port}/:_authToken=${token}\n`);

  return {
    url,
    stop,
    async publish(tarball) {
      await execa("npm", ["publish", tarball, "--registry", url, "--userconfig", userconfig], { stdin: "ignore", all: true });
    },
  };
}
