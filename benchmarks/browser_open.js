#!/usr/bin/env node
// Time to open an HTML report in headless Chromium: navigation until the `load` event, the
// first contentful paint, and a full layout of the page (its height), as JSON on stdout.
// Usage: node benchmarks/browser_open.js REPORT.html [WIDTH]
// Needs the test harness's node packages: npm ci --prefix tests/report/axe (puppeteer-core)
// and Chromium ($CHROMIUM_PATH, else /usr/bin/chromium).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');

async function main() {
  const [file, widthArg] = process.argv.slice(2);
  if (!file || !fs.existsSync(file)) {
    process.stderr.write('usage: node benchmarks/browser_open.js REPORT.html [WIDTH]\n');
    process.exit(2);
  }
  const puppeteer = require(path.join(__dirname, '..', 'tests', 'report', 'axe', 'node_modules',
                                      'puppeteer-core'));
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inclusiecheck-open-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    userDataDir,
    protocolTimeout: 1200000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: parseInt(widthArg || '1280', 10), height: 800 });
    const start = Date.now();
    await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load',
                                                               timeout: 1200000 });
    const loaded = Date.now() - start;
    const out = await page.evaluate(() => {
      const fcp = performance.getEntriesByType('paint')
        .find((e) => e.name === 'first-contentful-paint');
      return { height: document.documentElement.scrollHeight,
               elements: document.getElementsByTagName('*').length,
               fcp_ms: fcp ? Math.round(fcp.startTime) : null };
    });
    out.load_ms = loaded;
    out.laid_out_ms = Date.now() - start;
    out.bytes = fs.statSync(file).size;
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((err) => { process.stderr.write(String(err && err.stack || err) + '\n');
                        process.exit(3); });
