#!/usr/bin/env node
// Run axe-core (WCAG 2.1 A/AA rules) on one local HTML file in headless Chromium and print
// the JSON results on stdout. Usage: node run-axe.js REPORT.html [WIDTH]
// WIDTH: the viewport width in CSS pixels (default 800; the tests run 390 and 1280).
// Chromium: $CHROMIUM_PATH, else /usr/bin/chromium (Debian's package). Requests for anything
// other than the file itself are blocked and listed in `externalRequests`.
// Exit codes: 0 = ran (violations are in the JSON), 2 = usage, 3 = could not run.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

async function main() {
  const file = process.argv[2];
  if (!file || !fs.existsSync(file)) {
    process.stderr.write('usage: node run-axe.js REPORT.html\n');
    process.exit(2);
  }
  const puppeteer = require('puppeteer-core');
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inclusiecheck-axe-'));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      userDataDir,
      args: [...ARGS, `--user-data-dir=${userDataDir}`],
    });
    const page = await browser.newPage();
    const width = parseInt(process.argv[3] || '800', 10);
    await page.setViewport({ width, height: 900 });
    const externalRequests = [];
    await page.setRequestInterception(true);
    const target = pathToFileURL(path.resolve(file)).href;
    page.on('request', (req) => {
      const url = req.url();
      if (url === target || url.startsWith('data:') || url === 'about:blank') {
        req.continue();
      } else {
        externalRequests.push(url);
        req.abort();
      }
    });
    await page.goto(target, { waitUntil: 'load', timeout: 60000 });
    await page.evaluate(axeSource);
    const results = await page.evaluate(async (tags) => {
      // eslint-disable-next-line no-undef
      return await axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations', 'incomplete'],
      });
    }, TAGS);
    results.externalRequests = externalRequests;
    results.browserVersion = await browser.version();
    results.viewportWidth = width;
    process.stdout.write(JSON.stringify(results) + '\n');
  } finally {
    if (browser) await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`run-axe: ${err && err.stack ? err.stack : err}\n`);
  process.exit(3);
});
