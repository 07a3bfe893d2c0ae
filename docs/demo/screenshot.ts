/**
 * Regenerates docs/demo/screenshot.png (the README's picture of the page): builds and serves the
 * page, and in headless Chromium (test/browser/chromium.ts) trains fcDigits in 100 coordinates, then runs the intrinsic
 * dimension sweep (3 seeds per d) on the wasm backend (the fastest one in a headless browser).
 *
 *   npm run build && npm run page:screenshot       # about 2 minutes
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { launchChromium } from '../../test/browser/chromium';
import { buildPage } from './build';
import { serveStatic } from './serve';

const QUERY = '?backend=wasm&dataset=digits&arch=fc-digits&basis=hashed&d=100&epochs=30&dims=10,20,50,100,200,400&seeds=3';
const OUTPUT = path.join(__dirname, 'screenshot.png');

async function main(): Promise<void> {
  const page = await buildPage({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'subspace-demo-')), mnist: false });
  const server = await serveStatic(page.outDir);
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 940 } });
    await tab.goto(server.url + QUERY);
    // Train and the sweep set the status to busy synchronously in their click handlers.
    const idle = () => tab.waitForFunction("['ready', 'error'].includes(window.subspaceDemo?.status)", null, { timeout: 600_000 });
    await idle();
    for (const button of ['#train', '#sweep']) {
      await tab.click(button);
      await idle();
    }
    console.log(await tab.textContent('#status'));
    await tab.screenshot({ path: OUTPUT, fullPage: true });
    console.log(`wrote ${path.relative(process.cwd(), OUTPUT)}`);
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(page.outDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
