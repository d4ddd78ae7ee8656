import { connect, createServer, type Socket } from "node:net";

export interface FreezingProxy {
  /** The URL of the proxied datastore, through the proxy. */
  url: string;
  /** From now on nothing passes, either way, and the connections stay open: a datastore that stopped answering. */
  freeze(): void;
  /** Drops the frozen connections and lets new ones through: the datastore is back, for whoever reconnects. */
  thaw(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of the server `url` names (redis://, postgres://). */
export async function startFreezingProxy(url: string): Promise<FreezingProxy> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let frozen = false;
  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  const forward = (from: Socket, to: Socket) => {
    sockets.add(from);
    from.on("data", (chunk) => {
      if (!frozen) to.write(chunk);
    });
    from.on("error", () => to.destroy());
    from.on("close", () => {
      sockets.delete(from);
      to.destroy();
    });
  };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("the proxy has no port");
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(address.port);
  return {
    url: proxied.toString(),
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      dropConnections();
    },
    close: async () => {
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
