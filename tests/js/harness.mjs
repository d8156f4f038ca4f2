// Starts a real nimbus process for the JavaScript SDK tests.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const binary = process.env.NIMBUS_BINARY || join(root, "build", "nimbus");

export const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export async function startNimbus(...extraArgs) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "nimbus-js-"));
  const proc = spawn(binary, ["serve", "--port", String(port), "--data-dir", dataDir,
                              "--log-level", "warn", ...extraArgs], { stdio: "inherit" });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const r = await fetch(endpoint + "/_nimbus/health");
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("nimbus did not become ready");
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    endpoint,
    config: { endpoint, region: "us-east-1", credentials },
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
