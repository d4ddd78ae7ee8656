import { createDashboard, type Dashboard } from "@repo/core/tasks";
import { Hono, type Handler } from "hono";
import { guardAdminPath } from "./admin-token.js";
import type { QueueRouteConfig } from "../queue.js";

export const DASHBOARD_PATH = "/admin/queues";

const open = new Set<Dashboard>();

/**
 * Mounts Bull Board at /admin/queues: in development as is; in production only
 * when ADMIN_TOKEN is set, behind it (otherwise not mounted: 404). The board is
 * built on its first request, so an app that never shows it opens no queues.
 */
export function mountDashboard(app: Hono, config: QueueRouteConfig): void {
  if (!guardAdminPath(app, DASHBOARD_PATH, config)) return;
  const serveBoard = lazyBoard();
  app.all(DASHBOARD_PATH, serveBoard);
  app.all(`${DASHBOARD_PATH}/*`, serveBoard);
}

function lazyBoard(): Handler {
  let board: Promise<Hono> | undefined;
  return async (c) => {
    board ??= createDashboard({ basePath: DASHBOARD_PATH }).then(
      (dashboard) => {
        open.add(dashboard);
        return new Hono().route(dashboard.basePath, dashboard.app);
      },
      (error: unknown) => {
        board = undefined; // try again on the next request
        throw error;
      },
    );
    return (await board).fetch(c.req.raw);
  };
}

/** Closes the queues of every dashboard opened in this process. */
export async function closeDashboards(): Promise<void> {
  const dashboards = [...open];
  open.clear();
  await Promise.all(dashboards.map((dashboard) => dashboard.close()));
}
