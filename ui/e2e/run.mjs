// `npm run e2e`: the global setup (demo data, tokens, one `inda serve`), then Node's test runner over
// e2e/*.spec.mjs (one file at a time, so timings are not skewed), then the server is stopped and the temp dir
// removed, whatever happened. Extra arguments go to `node --test` (e.g. `npm run e2e -- --test-name-pattern=Spanish`).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, indaBin, startServer } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const specs = readdirSync(here)
  .filter((f) => f.endsWith('.spec.mjs'))
  .sort()
  .map((f) => join(here, f));

console.log(`e2e: inda ${indaBin()}, chromium ${chromiumPath()}`);
const srv = await startServer();
console.log(`e2e: inda serve on ${srv.base} (pid ${srv.pid}), data in ${srv.dataDir}`);

let code = 1;
try {
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...process.argv.slice(2), ...specs], {
      stdio: 'inherit',
      env: { ...process.env, ...srv.env },
    });
    const forward = (sig) => child.kill(sig);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)));
  });
} finally {
  await srv.stop();
}
process.exit(code);
