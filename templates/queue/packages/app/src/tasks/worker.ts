// Task registration. A worker process only knows the tasks whose modules it has
// imported: every task module is imported at the bottom of this file.
// (Task modules import `worker` from here; the re-export comes first, so the
// import cycle is safe.)
export { worker } from "@repo/core/tasks";

import "./emails.js";
