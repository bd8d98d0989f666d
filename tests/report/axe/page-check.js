#!/usr/bin/env node
// Measure an inclusiecheck HTML report in headless Chromium and print JSON on stdout:
// the page's scrollWidth and height at a viewport width, and (with a PDF path) print it to
// A4 with the print stylesheet. Usage: node page-check.js REPORT.html WIDTH [OUT.pdf]
// Chromium: $CHROMIUM_PATH, else /usr/bin/chromium. Exit codes: 0 = ran, 2 = usage, 3 = error.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');

async function main() {
  const [file, widthArg, pdf] = process.argv.slice(2);
  if (!file || !fs.existsSync(file) || !widthArg) {
    process.stderr.write('usage: node page-check.js REPORT.html WIDTH [OUT.pdf]\n');
    process.exit(2);
  }
  const puppeteer = require('puppeteer-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inclusiecheck-page-'));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      userDataDir,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
             `--user-data-dir=${userDataDir}`],
    });
    const page = await browser.newPage();
    const width = parseInt(widthArg, 10);
    await page.setViewport({ width, height: 800 });
    await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load' });
    const out = await page.evaluate(() => {
      const root = document.documentElement;
      const wide = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > root.clientWidth + 1 && !el.closest(".table-wrap")) {
          wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || '').slice(0, 40)
                    + (el.className && typeof el.className === 'string' ? '.' + el.className : ''));
        }
      }
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
               height: root.scrollHeight, wide: wide.slice(0, 10) };
    });
    out.width = width;
    if (pdf) {
      await page.emulateMediaType('print');
      await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    if (browser) await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`page-check: ${err && err.stack ? err.stack : err}\n`);
  process.exit(3);
});
