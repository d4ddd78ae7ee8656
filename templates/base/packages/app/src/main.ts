// The app's entry point (`pnpm dev`). For now a health endpoint; put your HTTP
// framework of choice here.
import { createServer } from "node:http";
import { closeDatabase, db } from "@repo/core";

const port = Number(process.env.PORT) || 3000;

const server = createServer((request, response) => {
  if (request.url === "/health") {
    db.query("SELECT 1").then(
      () => response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
      (error: unknown) => response.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: String(error) })),
    );
    return;
  }
  response.writeHead(404).end();
});

// Connect (and migrate) at startup so a bad DATABASE_URL fails loudly now.
await db.query("SELECT 1");
server.listen(port, () => console.log(`app ready on http://localhost:${port} (GET /health)`));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close();
    closeDatabase().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
